import { DebugTerminalClient } from './DebugTerminalClient';

/** Records what the client opens instead of connecting. */
class RecordingWebSocket {
  static opened: RecordingWebSocket[] = [];
  binaryType = 'blob';
  constructor(readonly url: string, readonly protocols: string[]) {
    RecordingWebSocket.opened.push(this);
  }
}

describe('DebugTerminalClient', () => {
  const realWebSocket = global.WebSocket;
  beforeEach(() => {
    RecordingWebSocket.opened = [];
    (global as any).WebSocket = RecordingWebSocket;
  });
  afterEach(() => {
    global.WebSocket = realWebSocket;
  });

  const client = (token?: string) =>
    new DebugTerminalClient({
      discoveryApi: {
        getBaseUrl: async id => `http://localhost:7007/api/${id}`,
      },
      fetchApi: { fetch: async () => new Response('{}') },
      identityApi: {
        getCredentials: async () => ({ token }),
      } as any,
    });

  it('opens a toolkit session’s socket with the session, the size and the token as its protocol', async () => {
    await client('the-token').openTerminal(
      {
        kind: 'attach',
        session: {
          cluster: 'dev',
          namespace: 'shop',
          name: 'debug-web-1-x7k2p',
          entityRef: 'component:default/web',
        },
      },
      { cols: 120, rows: 40 },
    );
    const [socket] = RecordingWebSocket.opened;
    const url = new URL(socket.url);
    expect(`${url.protocol}//${url.host}${url.pathname}`).toBe(
      'ws://localhost:7007/api/debug-terminal/attach',
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      cluster: 'dev',
      namespace: 'shop',
      name: 'debug-web-1-x7k2p',
      entityRef: 'component:default/web',
      cols: '120',
      rows: '40',
    });
    expect(socket.protocols).toEqual(['the-token']);
    expect(socket.binaryType).toBe('arraybuffer');
  });

  it('opens a shell’s socket on the container, without a protocol when signed out', async () => {
    await client(undefined).openTerminal(
      {
        kind: 'shell',
        container: {
          entityRef: 'component:default/web',
          cluster: 'dev',
          namespace: 'shop',
          pod: 'web-1',
          container: 'app',
        },
      },
      { cols: 80, rows: 24 },
    );
    const [socket] = RecordingWebSocket.opened;
    expect(socket.url).toBe(
      'ws://localhost:7007/api/debug-terminal/shell?entityRef=component%3Adefault%2Fweb&cluster=dev&namespace=shop&pod=web-1&container=app&cols=80&rows=24',
    );
    expect(socket.protocols).toEqual([]);
  });
});
