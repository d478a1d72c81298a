import { EntityCaller } from '@cairn/plugin-kubernetes-node';
import { StepLogService } from '../logs/StepLogService';
import { AuthorizedPipelineRunsService } from './AuthorizedPipelineRunsService';

/**
 * {@link StepLogService} behind the Pipelines permissions: a run's step logs
 * are for those who may read the entity's runs (`pipelines.run.read`).
 * @public
 */
export class AuthorizedStepLogService {
  constructor(
    private readonly logs: StepLogService,
    private readonly runs: AuthorizedPipelineRunsService,
  ) {}

  async read(
    entityRef: string,
    cluster: string,
    namespace: string,
    name: string,
    request: Parameters<StepLogService['read']>[4],
    caller: EntityCaller,
  ) {
    const scope = await this.runs.readableScope(entityRef, caller);
    return this.logs.read(scope, cluster, namespace, name, request);
  }

  async search(
    entityRef: string,
    cluster: string,
    namespace: string,
    name: string,
    request: Parameters<StepLogService['search']>[4],
    caller: EntityCaller,
  ) {
    const scope = await this.runs.readableScope(entityRef, caller);
    return this.logs.search(scope, cluster, namespace, name, request);
  }
}
