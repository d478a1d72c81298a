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
} from '@cairn/plugin-rollouts-common';
import { RolloutsApi } from './RolloutsApi';

/** The route's path with the Stone's cluster, namespace and name filled in. */
function routePath(operation: RolloutsApiOperation, stone?: StoneRef): string {
  return ROLLOUTS_API_ROUTES[operation].path.replace(
    /:(cluster|namespace|name)/g,
    (_, key: keyof StoneRef) => encodeURIComponent(stone![key]),
  );
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

  getStone(stone: StoneRef): Promise<StoneDetail> {
    return this.request(routePath('getStone', stone));
  }

  approveStage(
    stone: StoneRef,
    request: ApproveStageRequest,
  ): Promise<StoneDetail> {
    return this.post('approveStage', stone, request);
  }

  startUpdate(
    stone: StoneRef,
    request: StartUpdateRequest,
  ): Promise<StoneDetail> {
    return this.post('startUpdate', stone, request);
  }

  pause(stone: StoneRef, request: StoneActionRequest): Promise<StoneDetail> {
    return this.post('pause', stone, request);
  }

  resume(stone: StoneRef, request: StoneActionRequest): Promise<StoneDetail> {
    return this.post('resume', stone, request);
  }

  abort(stone: StoneRef, request: StoneActionRequest): Promise<StoneDetail> {
    return this.post('abort', stone, request);
  }

  rollback(stone: StoneRef, request: RollbackRequest): Promise<StoneDetail> {
    return this.post('rollback', stone, request);
  }

  private post<T>(
    operation: RolloutsApiOperation,
    stone: StoneRef,
    body: object,
  ): Promise<T> {
    return this.request(routePath(operation, stone), {
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
