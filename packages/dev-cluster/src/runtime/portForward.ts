import type { IncomingMessage } from 'node:http';
import { connect, Socket } from 'node:net';
import { Duplex } from 'node:stream';
import zlib from 'node:zlib';
import WebSocket, { WebSocketServer } from 'ws';

/*
 * pods/portforward as the kubelet serves it: the `portforward.k8s.io`
 * protocol over SPDY/3.1. kubectl (1.31+) first asks for a WebSocket whose
 * subprotocol is `SPDY/3.1+portforward.k8s.io` and tunnels the same SPDY
 * connection through its binary messages; older clients, or a refused
 * WebSocket, upgrade the HTTP connection to SPDY/3.1 directly. Either way
 * the client opens, for each local connection, an error stream and a data
 * stream (headers streamType, port, requestID); the data stream is piped to
 * the container's port, and a failure to connect is written to the error
 * stream.
 *
 * Only what that protocol uses of SPDY/3.1 is spoken: SYN_STREAM, SYN_REPLY,
 * data frames with FIN, RST_STREAM, PING and GOAWAY. Header blocks are zlib
 * streams with SPDY's dictionary, one per direction for the connection.
 * Flow control is left out, as the Go client (spdystream) leaves it out.
 */

export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
export const SPDY_UPGRADE = 'SPDY/3.1';
export const TUNNELED_PORT_FORWARD_PROTOCOL = `${SPDY_UPGRADE}+${PORT_FORWARD_PROTOCOL}`;

const SPDY_VERSION = 3;
const SYN_STREAM = 1;
const SYN_REPLY = 2;
const RST_STREAM = 3;
const PING = 6;
const GOAWAY = 7;
const FLAG_FIN = 0x01;
const MAX_DATA_FRAME = 16 * 1024;

/*
 * The SPDY/3 header compression dictionary (SPDY Protocol draft 3, section
 * 2.6.10.1) from spdy-transport, Node's SPDY implementation. Its connection
 * itself cannot serve this protocol: it refuses streams without HTTP's
 * :method and :path headers, which Kubernetes' streams do not carry.
 */
const SPDY3_DICTIONARY: Buffer =
  require('spdy-transport/lib/spdy-transport/protocol/spdy/dictionary.js')[3];

/** A zlib stream that transforms one block at a time, each ended by a sync flush. */
class HeaderZlib {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly stream: zlib.Inflate | zlib.Deflate) {
    stream.on('error', () => {});
  }

  transform(block: Buffer): Promise<Buffer> {
    const result = this.queue.then(
      () =>
        new Promise<Buffer>((resolve, reject) => {
          const chunks: Buffer[] = [];
          const onData = (chunk: Buffer) => chunks.push(chunk);
          this.stream.on('data', onData);
          this.stream.write(block);
          this.stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
            this.stream.off('data', onData);
            if (this.stream.destroyed) reject(new Error('zlib failed'));
            else resolve(Buffer.concat(chunks));
          });
        }),
    );
    this.queue = result.catch(() => undefined);
    return result;
  }

  close() {
    this.stream.destroy();
  }
}

/** Parses a SPDY/3 header block: count, then length-prefixed names and values. */
export function parseHeaderBlock(block: Buffer): Map<string, string> {
  const headers = new Map<string, string>();
  let offset = 0;
  const read = () => {
    const length = block.readUInt32BE(offset);
    const value = block.subarray(offset + 4, offset + 4 + length).toString();
    offset += 4 + length;
    return value;
  };
  const count = block.readUInt32BE(0);
  offset = 4;
  for (let i = 0; i < count; i++) {
    const name = read().toLowerCase();
    headers.set(name, read().split('\0')[0]);
  }
  return headers;
}

function controlFrame(type: number, flags: number, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(body.length, 4);
  head[4] = flags;
  return Buffer.concat([head, body]);
}

function dataFrame(streamId: number, flags: number, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head.writeUInt32BE(data.length, 4);
  head[4] = flags;
  return Buffer.concat([head, data]);
}

function uint32(...values: number[]): Buffer {
  const buffer = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => buffer.writeUInt32BE(v >>> 0, 4 * i));
  return buffer;
}

/** The sessions serving, each until its client goes away. */
const sessions = new Set<{ close(): void }>();

interface ForwardRequest {
  errorStream?: number;
  dataStream?: number;
  socket?: Socket;
}

/**
 * The server side of one port-forward connection, over `transport` (the
 * upgraded socket, or the WebSocket tunnel). Ends when the client goes away.
 */
export class PortForwardSession {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly inflate = new HeaderZlib(
    zlib.createInflate({ dictionary: SPDY3_DICTIONARY }),
  );
  private readonly deflate = new HeaderZlib(
    zlib.createDeflate({ dictionary: SPDY3_DICTIONARY }),
  );
  /** Frames are handled one after another (header blocks decode asynchronously). */
  private handling: Promise<void> = Promise.resolve();
  private readonly requests = new Map<string, ForwardRequest>();
  private readonly streams = new Map<number, string>();
  private closed = false;

  constructor(
    private readonly transport: Duplex,
    private readonly dial: (port: number) => Promise<Socket>,
    private readonly describeFailure: (port: number, error: Error) => string,
    head: Buffer = Buffer.alloc(0),
  ) {
    if (head.length) this.receive(head);
    transport.on('data', (chunk: Buffer) => this.receive(chunk));
    transport.on('close', () => this.close());
    transport.on('end', () => this.close());
    transport.on('error', () => this.close());
  }

  private write(frame: Buffer) {
    if (!this.closed && this.transport.writable) this.transport.write(frame);
  }

  private receive(chunk: Buffer) {
    this.buffer = this.buffer.length
      ? Buffer.concat([this.buffer, chunk])
      : chunk;
    while (this.buffer.length >= 8) {
      const length = this.buffer.readUInt32BE(4) & 0xffffff;
      if (this.buffer.length < 8 + length) break;
      const frame = this.buffer.subarray(0, 8 + length);
      this.buffer = this.buffer.subarray(8 + length);
      this.handling = this.handling
        .then(() => this.handle(frame))
        .catch(() => this.close());
    }
  }

  private async handle(frame: Buffer) {
    if (this.closed) return;
    const flags = frame[4];
    const body = frame.subarray(8);
    if ((frame[0] & 0x80) === 0) {
      this.onData(frame.readUInt32BE(0) & 0x7fffffff, flags, body);
      return;
    }
    switch (frame.readUInt16BE(2)) {
      case SYN_STREAM: {
        const streamId = body.readUInt32BE(0) & 0x7fffffff;
        const headers = parseHeaderBlock(
          await this.inflate.transform(body.subarray(10)),
        );
        await this.onStream(streamId, headers);
        if (flags & FLAG_FIN) this.onData(streamId, FLAG_FIN, Buffer.alloc(0));
        break;
      }
      case RST_STREAM:
        this.endStream(body.readUInt32BE(0) & 0x7fffffff);
        break;
      case PING:
        this.write(controlFrame(PING, 0, body.subarray(0, 4)));
        break;
      case GOAWAY:
        this.close();
        break;
      default:
        // SETTINGS, WINDOW_UPDATE, HEADERS: nothing to do without flow control.
        break;
    }
  }

  private async onStream(streamId: number, headers: Map<string, string>) {
    const block = await this.deflate.transform(uint32(0));
    this.write(
      controlFrame(SYN_REPLY, 0, Buffer.concat([uint32(streamId), block])),
    );
    const requestId = headers.get('requestid') ?? String(streamId);
    const port = Number(headers.get('port'));
    let request = this.requests.get(requestId);
    if (!request) {
      request = {};
      this.requests.set(requestId, request);
    }
    this.streams.set(streamId, requestId);
    if (headers.get('streamtype') === 'error') {
      request.errorStream = streamId;
      return;
    }
    request.dataStream = streamId;
    const current = request;
    let socket: Socket;
    try {
      socket = await this.dial(port);
    } catch (error) {
      this.failRequest(current, this.describeFailure(port, error as Error));
      return;
    }
    if (this.closed || current.dataStream === undefined) {
      socket.destroy();
      return;
    }
    current.socket = socket;
    socket.on('data', (data: Buffer) => {
      for (let i = 0; i < data.length; i += MAX_DATA_FRAME)
        this.write(
          dataFrame(streamId, 0, data.subarray(i, i + MAX_DATA_FRAME)),
        );
    });
    socket.on('end', () => {
      if (current.dataStream !== undefined)
        this.write(dataFrame(streamId, FLAG_FIN, Buffer.alloc(0)));
    });
    socket.on('error', error => {
      this.failRequest(current, this.describeFailure(port, error));
    });
  }

  private failRequest(request: ForwardRequest, message: string) {
    if (request.errorStream !== undefined) {
      this.write(dataFrame(request.errorStream, 0, Buffer.from(message)));
      this.write(dataFrame(request.errorStream, FLAG_FIN, Buffer.alloc(0)));
    }
    if (request.dataStream !== undefined)
      this.write(dataFrame(request.dataStream, FLAG_FIN, Buffer.alloc(0)));
    request.socket?.destroy();
  }

  private onData(streamId: number, flags: number, data: Buffer) {
    const requestId = this.streams.get(streamId);
    const request = requestId ? this.requests.get(requestId) : undefined;
    if (!request || request.dataStream !== streamId) return;
    if (data.length) request.socket?.write(data);
    if (flags & FLAG_FIN) request.socket?.end();
  }

  private endStream(streamId: number) {
    const requestId = this.streams.get(streamId);
    if (!requestId) return;
    this.streams.delete(streamId);
    const request = this.requests.get(requestId);
    if (!request) return;
    if (request.dataStream === streamId) {
      request.dataStream = undefined;
      request.socket?.destroy();
    }
    if (request.errorStream === streamId) request.errorStream = undefined;
    if (request.dataStream === undefined && request.errorStream === undefined)
      this.requests.delete(requestId);
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    sessions.delete(this);
    for (const request of this.requests.values()) request.socket?.destroy();
    this.requests.clear();
    this.inflate.close();
    this.deflate.close();
    this.transport.destroy();
  }
}

/** A WebSocket's binary messages as a byte stream, as kubectl's tunnel writes them. */
function webSocketDuplex(ws: WebSocket): Duplex {
  const duplex = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      if (ws.readyState === ws.OPEN) ws.send(chunk, { binary: true }, callback);
      else callback();
    },
    destroy(error, callback) {
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING)
        ws.close(1000);
      callback(error);
    },
  });
  ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
    if (Buffer.isBuffer(data)) duplex.push(data);
    else if (Array.isArray(data)) duplex.push(Buffer.concat(data));
    else duplex.push(Buffer.from(data));
  });
  ws.on('close', () => duplex.destroy());
  ws.on('error', () => duplex.destroy());
  return duplex;
}

/*
 * `ws` refuses the tunnel's subprotocol (a "/" is not a token character),
 * so the server negotiates it itself: it takes the header out of the request
 * and puts the protocol into the 101 response.
 */
const tunnels = new WebSocketServer({ noServer: true });
const tunnelRequests = new WeakSet<IncomingMessage>();
tunnels.on('headers', (headers: string[], request: IncomingMessage) => {
  if (tunnelRequests.has(request))
    headers.push(`Sec-WebSocket-Protocol: ${TUNNELED_PORT_FORWARD_PROTOCOL}`);
});

function offersTunnel(request: IncomingMessage): boolean {
  return (request.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .some(p => p.trim() === TUNNELED_PORT_FORWARD_PROTOCOL);
}

/** Whether an upgrade request asks for SPDY (rather than a WebSocket). */
export function isSpdyUpgrade(request: IncomingMessage): boolean {
  return (request.headers.upgrade ?? '').toLowerCase() === 'spdy/3.1';
}

/**
 * Serves a port-forward upgrade (after authentication and authorization):
 * a WebSocket tunnel or a SPDY/3.1 upgrade, each forwarding to `dial`.
 */
export function handlePortForwardUpgrade(
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  dial: (port: number) => Promise<Socket>,
  describeFailure: (port: number, error: Error) => string,
): void {
  if (isSpdyUpgrade(request)) {
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\n' +
        'Connection: Upgrade\r\n' +
        `Upgrade: ${SPDY_UPGRADE}\r\n` +
        `X-Stream-Protocol-Version: ${PORT_FORWARD_PROTOCOL}\r\n\r\n`,
    );
    sessions.add(new PortForwardSession(socket, dial, describeFailure, head));
    return;
  }
  if (!offersTunnel(request)) {
    socket.end(
      'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
    );
    return;
  }
  delete request.headers['sec-websocket-protocol'];
  tunnelRequests.add(request);
  tunnels.handleUpgrade(request, socket, head, ws => {
    sessions.add(
      new PortForwardSession(webSocketDuplex(ws), dial, describeFailure),
    );
  });
}

/** Dials a loopback address's port (a pod's IP; 127.0.0.1 by default), resolving once connected. */
export function dialLoopback(
  port: number,
  host = '127.0.0.1',
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}
