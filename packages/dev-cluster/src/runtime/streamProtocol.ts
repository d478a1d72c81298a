/**
 * The Kubernetes remote-command WebSocket protocols that kubectl and
 * @kubernetes/client-node speak for `pods/exec` and `pods/attach`.
 *
 * Every binary frame starts with a channel byte: 0 stdin, 1 stdout,
 * 2 stderr, 3 error, 4 resize. From v4 the error channel carries a
 * metav1.Status (Success, or Failure with reason NonZeroExitCode); before v4
 * it carries only the text of a failure. v5 adds a close signal (255 followed
 * by the channel to close) so a client can end stdin and still read output.
 */
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { SessionEnd, StreamSession } from './session';

export const STREAM_PROTOCOL_V5 = 'v5.channel.k8s.io';
export const STREAM_PROTOCOL_V4 = 'v4.channel.k8s.io';
export const STREAM_PROTOCOL_V3 = 'v3.channel.k8s.io';
export const STREAM_PROTOCOL_V2 = 'v2.channel.k8s.io';
export const STREAM_PROTOCOL_V1 = 'channel.k8s.io';

const SUPPORTED_PROTOCOLS = [
  STREAM_PROTOCOL_V5,
  STREAM_PROTOCOL_V4,
  STREAM_PROTOCOL_V3,
  STREAM_PROTOCOL_V2,
  STREAM_PROTOCOL_V1,
];

export const CHANNEL_STDIN = 0;
export const CHANNEL_STDOUT = 1;
export const CHANNEL_STDERR = 2;
export const CHANNEL_ERROR = 3;
export const CHANNEL_RESIZE = 4;
export const CHANNEL_CLOSE = 255;

/**
 * The protocol to answer a WebSocket upgrade with: the first one the client
 * offers that the server speaks (for `ws`'s `handleProtocols`). Undefined when
 * there is none, and the upgrade should be refused.
 */
export function selectStreamProtocol(
  offered: Iterable<string>,
): string | undefined {
  for (const protocol of offered) {
    if (SUPPORTED_PROTOCOLS.includes(protocol)) return protocol;
  }
  return undefined;
}

/** The query of an exec or attach request. */
export interface StreamRequestOptions {
  container?: string;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/**
 * Reads `?command=…&container=…&stdin=true&stdout=true&stderr=true&tty=true`.
 * Returns the message of the API server's 400 when no stream is asked for.
 */
export function parseStreamQuery(
  query: URLSearchParams,
): StreamRequestOptions | { error: string } {
  const flag = (name: string) => ['true', '1'].includes(query.get(name) ?? '');
  const tty = flag('tty');
  const options = {
    container: query.get('container') ?? undefined,
    command: query.getAll('command'),
    stdin: flag('stdin'),
    stdout: flag('stdout'),
    // A terminal merges stderr into stdout.
    stderr: flag('stderr') && !tty,
    tty,
  };
  if (!options.stdin && !options.stdout && !flag('stderr')) {
    return { error: 'you must specify at least 1 of stdin, stdout, stderr' };
  }
  return options;
}

/** The metav1.Status the error channel carries when a session ends (v4 and later). */
export function sessionEndStatus(
  end: SessionEnd,
  command: string[] = [],
): Record<string, unknown> {
  if (end.error !== undefined) {
    const message = `error executing command in container: ${end.error}`;
    return {
      metadata: {},
      status: 'Failure',
      message: `Internal error occurred: ${message}`,
      reason: 'InternalError',
      details: { causes: [{ message }] },
      code: 500,
    };
  }
  if (end.exitCode === undefined || end.exitCode === 0) {
    return { metadata: {}, status: 'Success' };
  }
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(
      ' ',
    )}], exit code ${end.exitCode}`,
    reason: 'NonZeroExitCode',
    details: {
      causes: [{ reason: 'ExitCode', message: String(end.exitCode) }],
    },
  };
}

/**
 * Output a socket may hold unsent before its session stops reading the
 * process's output, and what it must have sent before reading resumes.
 */
export const OUTPUT_HIGH_WATER_MARK = 256 * 1024;
const OUTPUT_LOW_WATER_MARK = 64 * 1024;

function frame(channel: number, data: Buffer | string): Buffer {
  const payload = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.concat([Buffer.from([channel]), payload]);
}

/**
 * Connects an accepted WebSocket to an exec or attach session: stdin and
 * resize frames go to the session, its output comes back on stdout/stderr,
 * and when it ends the status is written to the error channel and the socket
 * closed. Closing the socket ends the session (an exec'd command is killed).
 * A client that does not read as fast as the process writes holds the
 * process back: above OUTPUT_HIGH_WATER_MARK bytes not yet handed to the
 * network the session's output is paused, and it resumes once they are
 * down to the low-water mark.
 */
export function bridgeStreamSession(
  ws: WebSocket,
  session: StreamSession,
  options: { stdout: boolean; stderr: boolean; command?: string[] },
): void {
  const protocol = ws.protocol || STREAM_PROTOCOL_V1;
  const statusAsJson =
    protocol === STREAM_PROTOCOL_V4 || protocol === STREAM_PROTOCOL_V5;
  // Bytes given to ws.send whose write to the socket has not completed.
  let unsent = 0;
  const send = (channel: number, data: Buffer | string) => {
    if (ws.readyState !== ws.OPEN) return;
    const message = frame(channel, data);
    unsent += message.length;
    ws.send(message, () => {
      unsent -= message.length;
      if (unsent <= OUTPUT_LOW_WATER_MARK) session.resumeOutput();
    });
    if (unsent > OUTPUT_HIGH_WATER_MARK) session.pauseOutput();
  };
  const onStdout = (data: Buffer) => {
    if (options.stdout) send(CHANNEL_STDOUT, data);
  };
  const onStderr = (data: Buffer) => {
    if (options.stderr) send(CHANNEL_STDERR, data);
  };
  session.on('stdout', onStdout);
  session.on('stderr', onStderr);

  ws.on(
    'message',
    (raw: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      const data = toBuffer(raw);
      if (data.length === 0) return;
      // Text frames are not part of the binary protocols; base64 framing is not supported.
      if (!isBinary) return;
      const channel = data[0];
      const payload = data.subarray(1);
      switch (channel) {
        case CHANNEL_STDIN:
          if (payload.length > 0) session.writeStdin(payload);
          break;
        case CHANNEL_RESIZE:
          applyResize(session, payload);
          break;
        case CHANNEL_CLOSE:
          if (protocol === STREAM_PROTOCOL_V5 && payload[0] === CHANNEL_STDIN)
            session.closeStdin();
          break;
        default:
          break;
      }
    },
  );
  ws.on('close', () => session.close());
  ws.on('error', () => session.close());

  const finish = (end: SessionEnd) => {
    session.off('stdout', onStdout);
    session.off('stderr', onStderr);
    const status = sessionEndStatus(end, options.command);
    if (statusAsJson) {
      send(CHANNEL_ERROR, JSON.stringify(status));
    } else if (status.status !== 'Success') {
      send(CHANNEL_ERROR, String(status.message));
    }
    if (ws.readyState === ws.OPEN) ws.close(1000);
  };
  if (session.end) finish(session.end);
  else session.once('end', finish);
}

function toBuffer(raw: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(raw)) return raw;
  if (Array.isArray(raw)) return Buffer.concat(raw);
  return Buffer.from(raw);
}

function applyResize(session: StreamSession, payload: Buffer) {
  try {
    const size = JSON.parse(payload.toString()) as {
      Width?: number;
      Height?: number;
    };
    if (typeof size.Width === 'number' && typeof size.Height === 'number') {
      session.resize(size.Width, size.Height);
    }
  } catch {
    // The kubelet ignores resize messages it cannot decode.
  }
}

const upgrades = new WebSocketServer({
  noServer: true,
  handleProtocols: protocols => selectStreamProtocol(protocols) ?? false,
});

function rejectUpgrade(
  socket: Duplex,
  code: number,
  message: string,
  reason: string,
) {
  const body = JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  });
  socket.end(
    `HTTP/1.1 ${code} ${STATUS_CODES[code]}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(
        body,
      )}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * Serves an exec or attach upgrade request (after authentication and
 * authorization): reads the query, opens the session with `open` — which
 * throws if the container cannot be reached — and bridges it over the
 * WebSocket. Failures before the upgrade answer with a metav1.Status: 400
 * for a bad query, 500 with the error's message otherwise.
 */
export function handleStreamUpgrade(
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  open: (options: StreamRequestOptions) => StreamSession,
): void {
  const options = parseStreamQuery(
    new URL(request.url ?? '/', 'http://localhost').searchParams,
  );
  if ('error' in options) {
    rejectUpgrade(socket, 400, options.error, 'BadRequest');
    return;
  }
  let session: StreamSession;
  try {
    session = open(options);
  } catch (error) {
    rejectUpgrade(socket, 500, (error as Error).message, 'InternalError');
    return;
  }
  upgrades.handleUpgrade(request, socket, head, ws =>
    bridgeStreamSession(ws, session, options),
  );
}
