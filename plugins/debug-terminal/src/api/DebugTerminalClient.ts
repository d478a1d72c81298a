import {
  DiscoveryApi,
  FetchApi,
  IdentityApi,
} from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  CreateSessionRequest,
  DebugPodList,
  DebugSessionDetail,
  DebugSessionList,
  DebugToolkitList,
  TerminalRecordingSummary,
} from '@cairn/plugin-debug-terminal-common';
import {
  DebugTerminalApi,
  EntitySessionRef,
  TerminalTarget,
} from './DebugTerminalApi';

const PLUGIN_ID = 'debug-terminal';

/** `/sessions/:cluster/:namespace/:name?entityRef=…` */
function sessionPath(session: EntitySessionRef): string {
  const { cluster, namespace, name, entityRef } = session;
  return `/sessions/${[cluster, namespace, name]
    .map(encodeURIComponent)
    .join('/')}?${new URLSearchParams({ entityRef })}`;
}

/**
 * The debug terminal backend over `fetchApi` (which adds the user's token);
 * the terminal sockets carry the token as their Sec-WebSocket-Protocol, as
 * browsers cannot set headers on a WebSocket. A failed request throws
 * `ResponseError` with the server's message.
 * @public
 */
export class DebugTerminalClient implements DebugTerminalApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;
  private readonly identityApi: IdentityApi;

  constructor(options: {
    discoveryApi: DiscoveryApi;
    fetchApi: FetchApi;
    identityApi: IdentityApi;
  }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
    this.identityApi = options.identityApi;
  }

  toolkits(): Promise<DebugToolkitList> {
    return this.json('/toolkits');
  }

  listPods(entityRef: string): Promise<DebugPodList> {
    return this.json(`/pods?${new URLSearchParams({ entityRef })}`);
  }

  listSessions(entityRef: string): Promise<DebugSessionList> {
    return this.json(`/sessions?${new URLSearchParams({ entityRef })}`);
  }

  createSession(request: CreateSessionRequest): Promise<DebugSessionDetail> {
    return this.json('/sessions', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request),
    });
  }

  getSession(session: EntitySessionRef): Promise<DebugSessionDetail> {
    return this.json(sessionPath(session));
  }

  async endSession(session: EntitySessionRef): Promise<void> {
    await this.request(sessionPath(session), { method: 'DELETE' });
  }

  listRecordings(
    options: { entityRef?: string } = {},
  ): Promise<{ items: TerminalRecordingSummary[] }> {
    const query = options.entityRef
      ? `?${new URLSearchParams({ entityRef: options.entityRef })}`
      : '';
    return this.json(`/recordings${query}`);
  }

  async getRecording(id: number): Promise<string> {
    return (await this.request(`/recordings/${id}`)).text();
  }

  async openTerminal(
    target: TerminalTarget,
    size: { cols: number; rows: number },
  ): Promise<WebSocket> {
    const baseUrl = await this.discoveryApi.getBaseUrl(PLUGIN_ID);
    const where: Record<string, string> =
      target.kind === 'attach'
        ? { ...target.session }
        : { ...target.container };
    const query = new URLSearchParams({
      ...where,
      cols: String(size.cols),
      rows: String(size.rows),
    });
    const url = `${baseUrl.replace(/^http/, 'ws')}/${target.kind}?${query}`;
    const { token } = await this.identityApi.getCredentials();
    const socket = new WebSocket(url, token ? [token] : []);
    socket.binaryType = 'arraybuffer';
    return socket;
  }

  private async json<T>(path: string, init?: RequestInit): Promise<T> {
    return (await (await this.request(path, init)).json()) as T;
  }

  private async request(path: string, init?: RequestInit): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl(PLUGIN_ID);
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, init);
    if (!response.ok) {
      const error = await ResponseError.fromResponse(response);
      // The server's own words, not "Request failed with 403 Forbidden".
      error.message = error.body.error?.message || error.message;
      throw error;
    }
    return response;
  }
}
