import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  CancelRequest,
  ParamValues,
  RerunRequest,
} from '@cairn/plugin-pipelines-common';
import { PipelinesApi } from './PipelinesApi';
import {
  CancelMode,
  CreatePipelineRequest,
  PipelineDefinition,
  PipelineDefinitionRef,
  PipelineTargets,
  TasksList,
  UpdatePipelineRequest,
  RunChange,
  PipelinesList,
  StepLog,
  StepLogMatches,
  StepLogRange,
  StepRef,
  ListRunsQuery,
  RunDetails,
  RunRef,
  RunsPage,
  StartRunRequest,
} from './types';

function objectPath(
  collection: string,
  { cluster, namespace, name }: RunRef | PipelineDefinitionRef,
): string {
  return `/${collection}/${encodeURIComponent(cluster)}/${encodeURIComponent(
    namespace,
  )}/${encodeURIComponent(name)}`;
}

function runPath(run: RunRef): string {
  return objectPath('runs', run);
}

/** The numbers of a query, as text; the ones not given left out. */
function numbers(
  values: Record<string, number | undefined>,
): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => [
      key,
      value === undefined ? undefined : String(value),
    ]),
  );
}

/** Where a log response stands, from its headers. */
function logPosition(response: Response): Omit<StepLog, 'text'> {
  return {
    source: response.headers.get('X-Cairn-Log-Source') ?? 'archive',
    start: Number(response.headers.get('X-Cairn-Log-Start') ?? 0),
    size: Number(response.headers.get('X-Cairn-Log-Size') ?? 0),
  };
}

/** Reads a streamed text body chunk by chunk until it ends or is aborted. */
async function readText(
  response: Response,
  onText: (chunk: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const reader = response.body?.getReader();
  if (!reader) {
    onText(await response.text());
    return;
  }
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const text = decoder.decode(value, { stream: true });
      if (text) onText(text);
    }
    const rest = decoder.decode();
    if (rest) onText(rest);
  } catch (error) {
    if (!signal.aborted) throw error;
  }
}

/**
 * {@link PipelinesApi} over the pipelines backend's REST API.
 * @public
 */
export class PipelinesClient implements PipelinesApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  private async request(
    path: string,
    query: Record<string, string | undefined>,
    init?: { method: string; body?: unknown; signal?: AbortSignal },
  ): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl('pipelines');
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== '') params.set(key, value);
    }
    const response = await this.fetchApi.fetch(
      `${baseUrl}${path}?${params.toString()}`,
      init
        ? {
            method: init.method,
            signal: init.signal,
            ...(init.body !== undefined
              ? {
                  headers: { 'Content-Type': 'application/json' },
                  body: JSON.stringify(init.body),
                }
              : {}),
          }
        : undefined,
    );
    if (!response.ok) {
      const error = await ResponseError.fromResponse(response);
      // What every error panel shows first: the server's words (Kubernetes'
      // or Tekton's, naming the field), not "Request failed with 400".
      if (error.cause.message) error.message = error.cause.message;
      throw error;
    }
    return response;
  }

  async listRuns(query: ListRunsQuery): Promise<RunsPage> {
    const response = await this.request('/runs', {
      entityRef: query.entityRef,
      entity: query.entity?.length ? query.entity.join(',') : undefined,
      status: query.status?.length ? query.status.join(',') : undefined,
      pipeline: query.pipeline?.length ? query.pipeline.join(',') : undefined,
      cluster: query.cluster,
      namespace: query.namespace,
      label: query.label,
      search: query.search,
      sort: query.sort,
      order: query.order,
      limit: query.limit !== undefined ? String(query.limit) : undefined,
      cursor: query.cursor,
    });
    return response.json();
  }

  async getRun(entityRef: string, run: RunRef): Promise<RunDetails> {
    const response = await this.request(runPath(run), { entityRef });
    return response.json();
  }

  async listPipelines(entityRef?: string): Promise<PipelinesList> {
    const response = await this.request('/pipelines', { entityRef });
    return response.json();
  }

  async watchRuns(
    entityRef: string | undefined,
    onChanges: (changes: RunChange[]) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const response = await this.request(
      '/runs/events',
      { entityRef },
      { method: 'GET', signal },
    );
    let buffer = '';
    const onText = (chunk: string) => {
      buffer += chunk.replace(/\r\n/g, '\n');
      const changes: RunChange[] = [];
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
        let type = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) type = line.slice(6).trim();
          else if (line.startsWith('data:'))
            data.push(line.slice(5).trimStart());
        }
        if ((type === 'run' || type === 'deleted') && data.length) {
          try {
            changes.push({ type, run: JSON.parse(data.join('\n')) });
          } catch {
            // A malformed event is skipped; the next one carries the state.
          }
        }
      }
      if (changes.length) onChanges(changes);
    };
    await readText(response, onText, signal);
  }

  async getStepLog(
    entityRef: string,
    run: RunRef,
    step: StepRef,
    range: StepLogRange = {},
  ): Promise<StepLog> {
    const response = await this.request(`${runPath(run)}/logs`, {
      entityRef,
      taskRun: step.taskRun,
      step: step.step,
      ...numbers({ ...range }),
    });
    return { ...logPosition(response), text: await response.text() };
  }

  async followStepLog(
    entityRef: string,
    run: RunRef,
    step: StepRef,
    onText: (chunk: string) => void,
    signal: AbortSignal,
    options: {
      tail?: number;
      onOpen?: (log: Omit<StepLog, 'text'>) => void;
    } = {},
  ): Promise<void> {
    const response = await this.request(
      `${runPath(run)}/logs`,
      {
        entityRef,
        taskRun: step.taskRun,
        step: step.step,
        follow: 'true',
        ...numbers({ tail: options.tail }),
      },
      { method: 'GET', signal },
    );
    options.onOpen?.(logPosition(response));
    await readText(response, onText, signal);
  }

  async searchStepLog(
    entityRef: string,
    run: RunRef,
    step: StepRef,
    query: string,
  ): Promise<StepLogMatches> {
    const response = await this.request(`${runPath(run)}/logs/search`, {
      entityRef,
      taskRun: step.taskRun,
      step: step.step,
      q: query,
    });
    return response.json();
  }

  async startRun(entityRef: string, request: StartRunRequest): Promise<RunRef> {
    const response = await this.request(
      '/runs',
      { entityRef },
      { method: 'POST', body: request },
    );
    return response.json();
  }

  async rerun(
    entityRef: string,
    run: RunRef,
    params: ParamValues,
  ): Promise<RunRef> {
    const response = await this.request(
      `${runPath(run)}/rerun`,
      { entityRef },
      { method: 'POST', body: { params } satisfies RerunRequest },
    );
    return response.json();
  }

  async cancelRun(
    entityRef: string,
    run: RunRef,
    mode: CancelMode,
  ): Promise<void> {
    await this.request(
      `${runPath(run)}/cancel`,
      { entityRef },
      { method: 'POST', body: { mode } satisfies CancelRequest },
    );
  }

  async startPendingRun(entityRef: string, run: RunRef): Promise<void> {
    await this.request(
      `${runPath(run)}/start`,
      { entityRef },
      { method: 'POST', body: {} },
    );
  }

  async deleteRun(entityRef: string, run: RunRef): Promise<void> {
    await this.request(runPath(run), { entityRef }, { method: 'DELETE' });
  }

  async getPipeline(
    entityRef: string,
    ref: PipelineDefinitionRef,
  ): Promise<PipelineDefinition> {
    const response = await this.request(objectPath('pipelines', ref), {
      entityRef,
    });
    return response.json();
  }

  async createPipeline(
    entityRef: string,
    request: CreatePipelineRequest,
  ): Promise<PipelineDefinition> {
    const response = await this.request(
      '/pipelines',
      { entityRef },
      { method: 'POST', body: request },
    );
    return response.json();
  }

  async updatePipeline(
    entityRef: string,
    ref: PipelineDefinitionRef,
    request: UpdatePipelineRequest,
  ): Promise<PipelineDefinition> {
    const response = await this.request(
      objectPath('pipelines', ref),
      { entityRef },
      { method: 'PUT', body: request },
    );
    return response.json();
  }

  async listTasks(
    entityRef: string,
    where: { cluster: string; namespace: string },
  ): Promise<TasksList> {
    const response = await this.request('/tasks', { entityRef, ...where });
    return response.json();
  }

  async getTargets(entityRef: string): Promise<PipelineTargets> {
    const response = await this.request('/targets', { entityRef });
    return response.json();
  }
}
