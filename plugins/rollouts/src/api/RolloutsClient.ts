import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  ApproveStageRequest,
  RollbackRequest,
  ROLLOUTS_API_ROUTES,
  ROLLOUTS_PLUGIN_ID,
  RolloutsApiOperation,
  StartUpdateRequest,
  StoneActionRequest,
  StoneDetail,
  StoneList,
  StoneRef,
  StoneSummary,
} from '@cairn/plugin-rollouts-common';
import { EntityStoneRef, RolloutsApi } from './RolloutsApi';

/** The route's path with the Stone's cluster, namespace and name filled in. */
function routePath(operation: RolloutsApiOperation, stone?: StoneRef): string {
  return ROLLOUTS_API_ROUTES[operation].path.replace(
    /:(cluster|namespace|name)/g,
    (_, key: keyof StoneRef) => encodeURIComponent(stone![key]),
  );
}

/** One Stone's route, naming its entity (`?entityRef=`). */
function stonePath(
  operation: RolloutsApiOperation,
  stone: EntityStoneRef,
): string {
  return `${routePath(operation, stone)}?${new URLSearchParams({
    entityRef: stone.entityRef,
  })}`;
}

/**
 * The rollouts backend over `fetchApi` (which adds the user's token). A
 * failed request throws `ResponseError` (its `statusCode` tells a 409) with
 * the server's message.
 * @public
 */
export class RolloutsClient implements RolloutsApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  listStones(options: { entityRef?: string } = {}): Promise<StoneList> {
    const query = options.entityRef
      ? `?${new URLSearchParams({ entityRef: options.entityRef })}`
      : '';
    return this.request(`${routePath('listStones')}${query}`);
  }

  getStone(stone: EntityStoneRef): Promise<StoneDetail> {
    return this.request(stonePath('getStone', stone));
  }

  approveStage(
    stone: EntityStoneRef,
    request: ApproveStageRequest,
  ): Promise<StoneSummary> {
    return this.post('approveStage', stone, request);
  }

  startUpdate(
    stone: EntityStoneRef,
    request: StartUpdateRequest,
  ): Promise<StoneSummary> {
    return this.post('startUpdate', stone, request);
  }

  pause(
    stone: EntityStoneRef,
    request: StoneActionRequest,
  ): Promise<StoneSummary> {
    return this.post('pause', stone, request);
  }

  resume(
    stone: EntityStoneRef,
    request: StoneActionRequest,
  ): Promise<StoneSummary> {
    return this.post('resume', stone, request);
  }

  abort(
    stone: EntityStoneRef,
    request: StoneActionRequest,
  ): Promise<StoneSummary> {
    return this.post('abort', stone, request);
  }

  rollback(
    stone: EntityStoneRef,
    request: RollbackRequest,
  ): Promise<StoneSummary> {
    return this.post('rollback', stone, request);
  }

  private post<T>(
    operation: RolloutsApiOperation,
    stone: EntityStoneRef,
    body: object,
  ): Promise<T> {
    return this.request(stonePath(operation, stone), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  private async request<T>(path: string, init?: RequestInit): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl(ROLLOUTS_PLUGIN_ID);
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, init);
    if (!response.ok) {
      const error = await ResponseError.fromResponse(response);
      // The server's own words ("stage Beta is not complete ..."), not
      // "Request failed with 409 Conflict".
      error.message = error.body.error?.message || error.message;
      throw error;
    }
    return (await response.json()) as T;
  }
}
