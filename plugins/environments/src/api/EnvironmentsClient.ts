import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  ClusterList,
  ClusterTopology,
  CreateEnvironmentRequest,
  CreateEnvironmentRequestBody,
  DecideEnvironmentRequestBody,
  ENVIRONMENT_REQUESTS_API_ROUTES,
  EnvironmentRequestsApiOperation,
  EnvironmentList,
  EnvironmentRequestList,
  EnvironmentRequestsQuery,
  EnvironmentRequestView,
  ENVIRONMENTS_API_ROUTES,
  ENVIRONMENTS_PLUGIN_ID,
  EnvironmentsApiOperation,
  EnvironmentsQuery,
  EnvironmentSummary,
  ImportNodeLabelsRequest,
  ImportNodeLabelsResult,
  LabelNodesRequest,
  TopologyNode,
  UpdateEnvironmentRequest,
} from '@cairn/plugin-environments-common';
import { EnvironmentRef, EnvironmentsApi } from './EnvironmentsApi';

/** The route's path with its parameters filled in. */
function routePath(
  operation: EnvironmentsApiOperation,
  params: Partial<EnvironmentRef> = {},
): string {
  return ENVIRONMENTS_API_ROUTES[operation].path.replace(
    /:(cluster|name)/g,
    (_, key: keyof EnvironmentRef) => encodeURIComponent(params[key]!),
  );
}

/** A request route's path with its id filled in. */
function requestPath(
  operation: EnvironmentRequestsApiOperation,
  id?: string,
): string {
  return ENVIRONMENT_REQUESTS_API_ROUTES[operation].path.replace(
    ':id',
    encodeURIComponent(id ?? ''),
  );
}

/**
 * The environments backend over `fetchApi` (which adds the user's token).
 * @public
 */
export class EnvironmentsClient implements EnvironmentsApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  listEnvironments(query: EnvironmentsQuery = {}): Promise<EnvironmentList> {
    const params = new URLSearchParams(
      Object.entries(query).filter(([, v]) => v) as [string, string][],
    ).toString();
    return this.request(
      `${routePath('listEnvironments')}${params ? `?${params}` : ''}`,
    );
  }

  getEnvironment(ref: EnvironmentRef): Promise<EnvironmentSummary> {
    return this.request(routePath('getEnvironment', ref));
  }

  createEnvironment(
    cluster: string,
    request: CreateEnvironmentRequest,
  ): Promise<EnvironmentSummary> {
    return this.send(
      'POST',
      routePath('createEnvironment', { cluster }),
      request,
    );
  }

  updateEnvironment(
    ref: EnvironmentRef,
    request: UpdateEnvironmentRequest,
  ): Promise<EnvironmentSummary> {
    return this.send('PUT', routePath('updateEnvironment', ref), request);
  }

  async deleteEnvironment(ref: EnvironmentRef): Promise<void> {
    await this.request(routePath('deleteEnvironment', ref), {
      method: 'DELETE',
    });
  }

  createRequest(
    request: CreateEnvironmentRequestBody,
  ): Promise<EnvironmentRequestView> {
    return this.send('POST', requestPath('createRequest'), request);
  }

  listRequests(
    query: EnvironmentRequestsQuery = {},
  ): Promise<EnvironmentRequestList> {
    const params = new URLSearchParams(
      Object.entries(query).filter(([, v]) => v) as [string, string][],
    ).toString();
    return this.request(
      `${requestPath('listRequests')}${params ? `?${params}` : ''}`,
    );
  }

  getRequest(id: string): Promise<EnvironmentRequestView> {
    return this.request(requestPath('getRequest', id));
  }

  approveRequest(
    id: string,
    decision: DecideEnvironmentRequestBody = {},
  ): Promise<EnvironmentRequestView> {
    return this.send('POST', requestPath('approveRequest', id), decision);
  }

  rejectRequest(
    id: string,
    decision: DecideEnvironmentRequestBody = {},
  ): Promise<EnvironmentRequestView> {
    return this.send('POST', requestPath('rejectRequest', id), decision);
  }

  listClusters(): Promise<ClusterList> {
    return this.request(routePath('listClusters'));
  }

  getTopology(cluster: string): Promise<ClusterTopology> {
    return this.request(routePath('getTopology', { cluster }));
  }

  labelNodes(
    cluster: string,
    request: LabelNodesRequest,
  ): Promise<{ nodes: TopologyNode[] }> {
    return this.send('POST', routePath('labelNodes', { cluster }), request);
  }

  importNodeLabels(
    cluster: string,
    request: ImportNodeLabelsRequest,
  ): Promise<ImportNodeLabelsResult> {
    return this.send(
      'POST',
      routePath('importNodeLabels', { cluster }),
      request,
    );
  }

  private send<T>(method: string, path: string, body: object): Promise<T> {
    return this.request(path, {
      method,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  private async request<T>(path: string, init?: RequestInit): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl(ENVIRONMENTS_PLUGIN_ID);
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, init);
    if (!response.ok) {
      const error = await ResponseError.fromResponse(response);
      // The server's own words, not "Request failed with 409 Conflict".
      error.message = error.body.error?.message || error.message;
      throw error;
    }
    return response.status === 204
      ? (undefined as T)
      : ((await response.json()) as T);
  }
}
