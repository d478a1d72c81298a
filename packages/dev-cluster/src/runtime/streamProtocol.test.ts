import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Exec, KubeConfig, V1Status } from '@kubernetes/client-node';
import WebSocket, { WebSocketServer } from 'ws';
import { ProcessRuntime } from './processRuntime';
import { StreamSession } from './session';
import {
  bridgeStreamSession,
  handleStreamUpgrade,
  OUTPUT_HIGH_WATER_MARK,
  parseStreamQuery,
  selectStreamProtocol,
  sessionEndStatus,
} from './streamProtocol';

let stateDir: string;
let runtime: ProcessRuntime;
let server: Server;
let port: number;
let containerId: string;
/** The last session the server bridged, and the most its socket held unsent after sending output. */
let bridged: { session: StreamSession; mostUnsent: number } | undefined;

beforeEach(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'stream-'));
  runtime = new ProcessRuntime({ stateDir });
  containerId = (
    await runtime.startContainer({
      podUid: 'uid-1',
      podName: 'web',
      namespace: 'default',
      name: 'main',
      image: 'app',
      env: { GREETING: 'hi' },
    })
  ).id;
  // A minimal stand-in for the API server's exec endpoint.
  server = createServer();
  const wss = new WebSocketServer({
    server,
    handleProtocols: protocols => selectStreamProtocol(protocols) ?? false,
  });
  wss.on('connection', (ws, request) => {
    const options = parseStreamQuery(
      new URL(request.url!, 'http://localhost').searchParams,
    );
    if ('error' in options) throw new Error(options.error);
    // `.../attach?container=<id>`: the container's id stands in for its name.
    const session = request.url!.includes('/attach?')
      ? runtime.attach(options.container!, { stdin: options.stdin })
      : runtime.exec(containerId, {
          command: options.command,
          stdin: options.stdin,
          tty: options.tty,
        });
    bridgeStreamSession(ws, session, options);
    const watched = { session, mostUnsent: 0 };
    // After the bridge's listener: what the socket holds once it has sent the chunk.
    session.on('stdout', () => {
      watched.mostUnsent = Math.max(watched.mostUnsent, ws.bufferedAmount);
    });
    bridged = watched;
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise(resolve => server.close(resolve));
  await runtime.shutdown();
  rmSync(stateDir, { recursive: true, force: true });
});

function execUrl(command: string[], flags: string) {
  const query = new URLSearchParams(flags);
  for (const part of command) query.append('command', part);
  return `ws://127.0.0.1:${port}/api/v1/namespaces/default/pods/web/exec?${query}`;
}

/** Runs a raw protocol exchange and collects frames by channel until the server closes. */
function rawExchange(
  url: string,
  protocol: string,
  onOpen: (ws: WebSocket) => void,
) {
  return new Promise<{
    protocol: string;
    channels: Record<number, string>;
    closeCode: number;
  }>((resolve, reject) => {
    const ws = new WebSocket(url, [protocol]);
    const channels: Record<number, string> = {};
    ws.on('open', () => onOpen(ws));
    ws.on('message', (data: Buffer) => {
      channels[data[0]] =
        (channels[data[0]] ?? '') + data.subarray(1).toString();
    });
    ws.on('close', code =>
      resolve({ protocol: ws.protocol, channels, closeCode: code }),
    );
    ws.on('error', reject);
  });
}

describe('remote-command WebSocket protocols', () => {
  it('selects the first protocol the client offers that it speaks', () => {
    expect(
      selectStreamProtocol([
        'base64.channel.k8s.io',
        'v4.channel.k8s.io',
        'v5.channel.k8s.io',
      ]),
    ).toBe('v4.channel.k8s.io');
    expect(selectStreamProtocol(['SPDY/3.1'])).toBeUndefined();
  });

  it('parses exec queries and refuses a request without streams', () => {
    expect(
      parseStreamQuery(
        new URLSearchParams(
          'command=ls&command=-l&container=c&stdout=true&stderr=true&tty=true',
        ),
      ),
    ).toEqual({
      container: 'c',
      command: ['ls', '-l'],
      stdin: false,
      stdout: true,
      stderr: false,
      tty: true,
    });
    expect(parseStreamQuery(new URLSearchParams('command=ls'))).toEqual({
      error: 'you must specify at least 1 of stdin, stdout, stderr',
    });
  });

  it('builds the statuses the kubelet writes', () => {
    expect(sessionEndStatus({ exitCode: 0 })).toEqual({
      metadata: {},
      status: 'Success',
    });
    expect(sessionEndStatus({ exitCode: 2 }, ['sh', '-c', 'exit 2'])).toEqual({
      metadata: {},
      status: 'Failure',
      message:
        'command terminated with non-zero exit code: error executing command [sh -c exit 2], exit code 2',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '2' }] },
    });
  });

  it('speaks v5: stdin, close signal, stdout, stderr and a Success status', async () => {
    const result = await rawExchange(
      execUrl(
        ['sh', '-c', 'cat; echo $GREETING >&2'],
        'stdin=true&stdout=true&stderr=true',
      ),
      'v5.channel.k8s.io',
      ws => {
        ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('from stdin\n')]));
        ws.send(Buffer.from([255, 0]));
      },
    );
    expect(result).toEqual({
      protocol: 'v5.channel.k8s.io',
      channels: {
        1: 'from stdin\n',
        2: 'hi\n',
        3: '{"metadata":{},"status":"Success"}',
      },
      closeCode: 1000,
    });
  });

  it('speaks v4 with a NonZeroExitCode status, and v1 with plain error text', async () => {
    const v4 = await rawExchange(
      execUrl(['sh', '-c', 'exit 3'], 'stdout=true'),
      'v4.channel.k8s.io',
      () => {},
    );
    expect(JSON.parse(v4.channels[3])).toMatchObject({
      status: 'Failure',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
    const v1 = await rawExchange(
      execUrl(['sh', '-c', 'echo out; exit 3'], 'stdout=true'),
      'channel.k8s.io',
      () => {},
    );
    expect(v1.channels).toEqual({
      1: 'out\n',
      3: 'command terminated with non-zero exit code: error executing command [sh -c echo out; exit 3], exit code 3',
    });
  });

  it('resizes a terminal through the resize channel', async () => {
    const result = await rawExchange(
      execUrl(['sh'], 'stdin=true&stdout=true&tty=true'),
      'v4.channel.k8s.io',
      ws => {
        ws.send(
          Buffer.concat([
            Buffer.from([4]),
            Buffer.from(JSON.stringify({ Width: 101, Height: 33 })),
          ]),
        );
        ws.send(
          Buffer.concat([Buffer.from([0]), Buffer.from('stty size; exit 0\n')]),
        );
      },
    );
    expect(result.channels[1]).toContain('33 101');
    expect(result.channels[3]).toBe('{"metadata":{},"status":"Success"}');
  });

  describe('a client that stops reading', () => {
    // Megabytes through a WebSocket, a terminal and a log, on shared CPUs.
    /** More than the kernel's socket buffers on both ends can take. */
    const BYTES = 24 * 1024 * 1024;
    /** The high-water mark, plus the chunk read from the process when it was crossed. */
    const BOUND = OUTPUT_HIGH_WATER_MARK + 64 * 1024 + 1;

    /**
     * Opens an exec whose client reads nothing until the server has paused
     * the session (or it has ended: no flow control), then reads it all.
     */
    async function stallThenRead(
      url: string,
      onOpen: (ws: WebSocket) => void,
      onMessage?: (ws: WebSocket, data: Buffer) => void,
    ) {
      bridged = undefined;
      let pausedWhileStalled = false;
      const result = await rawExchange(url, 'v5.channel.k8s.io', ws => {
        if (onMessage) ws.on('message', (data: Buffer) => onMessage(ws, data));
        ws.pause();
        onOpen(ws);
        const poll = () => {
          if (!bridged?.session.outputPaused && !bridged?.session.end) {
            setTimeout(poll, 10);
            return;
          }
          pausedWhileStalled = bridged.session.outputPaused;
          ws.resume();
        };
        poll();
      });
      return { result, pausedWhileStalled, mostUnsent: bridged!.mostUnsent };
    }

    it('holds back the process, buffering a bounded amount, and then sends all of its output', async () => {
      const { result, pausedWhileStalled, mostUnsent } = await stallThenRead(
        execUrl(
          ['sh', '-c', `head -c ${BYTES} /dev/zero | tr '\\0' x`],
          'stdout=true',
        ),
        () => {},
      );
      expect(pausedWhileStalled).toBe(true);
      expect(mostUnsent).toBeLessThanOrEqual(BOUND);
      expect(result.channels[1]).toBe('x'.repeat(BYTES));
      expect(result.channels[3]).toBe('{"metadata":{},"status":"Success"}');
    }, 60_000);

    it('holds back a terminal exec too', async () => {
      const { result, pausedWhileStalled, mostUnsent } = await stallThenRead(
        execUrl(
          ['sh', '-c', `head -c ${BYTES} /dev/zero | tr '\\0' x`],
          'stdout=true&tty=true',
        ),
        ws =>
          ws.send(
            Buffer.concat([
              Buffer.from([4]),
              Buffer.from(JSON.stringify({ Width: 80, Height: 24 })),
            ]),
          ),
      );
      expect(pausedWhileStalled).toBe(true);
      expect(mostUnsent).toBeLessThanOrEqual(BOUND);
      expect(result.channels[1]).toBe('x'.repeat(BYTES));
      expect(result.channels[3]).toBe('{"metadata":{},"status":"Success"}');
    }, 60_000);

    it('holds back a container’s main process for an attachment, its log included', async () => {
      const talker = await runtime.startContainer({
        podUid: 'uid-1',
        podName: 'web',
        namespace: 'default',
        name: 'talker',
        image: 'app',
        command: [
          'sh',
          '-c',
          `read go; head -c ${BYTES} /dev/zero | tr '\\0' x; read done`,
        ],
        stdin: true,
      });
      let received = 0;
      const stdin = (text: string) =>
        Buffer.concat([Buffer.from([0]), Buffer.from(text)]);
      const { result, pausedWhileStalled, mostUnsent } = await stallThenRead(
        `ws://127.0.0.1:${port}/api/v1/namespaces/default/pods/web/attach?${new URLSearchParams(
          { container: talker.id, stdin: 'true', stdout: 'true' },
        )}`,
        ws => ws.send(stdin('go\n')),
        (ws, data) => {
          if (data[0] !== 1) return;
          received += data.length - 1;
          // All of it came: let the container end, which ends the attachment.
          if (received === BYTES) ws.send(stdin('done\n'));
        },
      );
      expect(pausedWhileStalled).toBe(true);
      expect(mostUnsent).toBeLessThanOrEqual(BOUND);
      expect(result.channels[1]).toBe('x'.repeat(BYTES));
      expect((await runtime.waitForExit(talker.id)).exitCode).toBe(0);
      // (Its reader ends the last, unterminated line.)
      expect(runtime.readLogs('uid-1', 'talker')?.trimEnd()).toBe(
        'x'.repeat(BYTES),
      );
    }, 60_000);
  });

  it('upgrades through handleStreamUpgrade, refusing what cannot be served', async () => {
    const upgradeServer = createServer();
    upgradeServer.on('upgrade', (request, socket, head) =>
      handleStreamUpgrade(request, socket, head, options =>
        runtime.exec(
          options.container === 'gone' ? 'cairn://gone' : containerId,
          {
            command: options.command,
            stdin: options.stdin,
            tty: options.tty,
          },
        ),
      ),
    );
    await new Promise<void>(resolve =>
      upgradeServer.listen(0, '127.0.0.1', resolve),
    );
    const upgradePort = (upgradeServer.address() as AddressInfo).port;
    const url = (query: string) =>
      `ws://127.0.0.1:${upgradePort}/exec?${query}`;
    try {
      const ok = await rawExchange(
        url('command=echo&command=hi&stdout=true'),
        'v5.channel.k8s.io',
        () => {},
      );
      expect(ok.channels).toEqual({
        1: 'hi\n',
        3: '{"metadata":{},"status":"Success"}',
      });
      const refused = (query: string) =>
        new Promise<{ status?: number; body: string }>(resolve => {
          const ws = new WebSocket(url(query), ['v5.channel.k8s.io']);
          ws.on('unexpected-response', (_request, response) => {
            let body = '';
            response.on('data', (chunk: Buffer) => (body += chunk.toString()));
            response.on('end', () =>
              resolve({ status: response.statusCode, body }),
            );
          });
        });
      const badRequest = await refused('command=ls');
      expect(badRequest.status).toBe(400);
      expect(JSON.parse(badRequest.body)).toMatchObject({
        reason: 'BadRequest',
        message: 'you must specify at least 1 of stdin, stdout, stderr',
      });
      const gone = await refused('command=ls&stdout=true&container=gone');
      expect(gone.status).toBe(500);
      expect(JSON.parse(gone.body)).toMatchObject({
        message: 'container not found ("cairn://gone")',
      });
    } finally {
      upgradeServer.closeAllConnections();
      await new Promise(resolve => upgradeServer.close(resolve));
    }
  });

  it('works with @kubernetes/client-node Exec', async () => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [
        {
          name: 'dev',
          server: `http://127.0.0.1:${port}`,
          skipTLSVerify: true,
        },
      ],
      users: [{ name: 'dev' }],
      contexts: [{ name: 'dev', cluster: 'dev', user: 'dev' }],
      currentContext: 'dev',
    });
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let output = '';
    stdout.on('data', d => (output += d.toString()));
    const status = await new Promise<V1Status>((resolve, reject) => {
      new Exec(kubeConfig)
        .exec(
          'default',
          'web',
          'main',
          ['sh', '-c', 'echo $GREETING from exec; exit 42'],
          stdout,
          stderr,
          null,
          false,
          resolve,
        )
        .catch(reject);
    });
    expect(output).toBe('hi from exec\n');
    expect(status).toMatchObject({
      status: 'Failure',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '42' }] },
    });
  });
});
