import { IncomingMessage } from 'node:http';
import { Duplex } from 'node:stream';
import {
  AuditorService,
  AuthService,
  BackstageCredentials,
  BackstageUserPrincipal,
  HttpRouterService,
  LifecycleService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  sessionPathSchema,
  sessionQuerySchema,
  shellQuerySchema,
  TERMINAL_CLOSE_CODES,
  terminalControlMessageSchema,
} from '@cairn/plugin-debug-terminal-common';
import { ClusterAccess } from '@cairn/plugin-kubernetes-node';
import { describeIssues } from '@cairn/request-schemas';
import { RawData, WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod';
import { RecordingEvent, RecordingStore } from '../database/RecordingStore';
import { CHANNEL, connectRemoteCommand, frame } from './remoteCommand';
import { AuthorizedDebugSessionsService } from './AuthorizedDebugSessionsService';
import { DebugTerminalSettings } from './settings';

/*
 * The terminal sockets: `/api/debug-terminal/attach` (a debug session's
 * container, through `pods/attach`) and `/api/debug-terminal/shell` (a plain
 * `/bin/sh` through `pods/exec`). The browser sends keystrokes as binary
 * frames and `{"type":"resize","cols","rows"}` as text; it receives the
 * terminal's output as binary frames. The socket is closed with a 4xxx code
 * and a reason the terminal shows (TERMINAL_CLOSE_CODES).
 *
 * Authentication is by the Backstage token, which the browser passes as a
 * Sec-WebSocket-Protocol value (browsers cannot set an Authorization header
 * on a WebSocket; a query token would end up in access logs). The routes
 * are registered `unauthenticated` and check the token themselves, as the
 * framework would, but after the handshake: the framework refuses a missing
 * token with an HTTP 401 that a browser only sees as close code 1006, while
 * the terminal must say why it cannot open (4001 and a reason).
 */

/** Above this, the cluster stream is paused until the browser has read. */
const BROWSER_HIGH_WATER = 1024 * 1024;
const BROWSER_LOW_WATER = 256 * 1024;
/** Recording events are written in batches of this many. */
const RECORDING_BATCH = 100;

const sizeSchema = z.object({
  cols: z.coerce.number().int().positive().max(1000).default(80),
  rows: z.coerce.number().int().positive().max(1000).default(24),
});
const attachQuerySchema = sessionQuerySchema
  .extend(sessionPathSchema.shape)
  .extend(sizeSchema.shape);
const shellSocketQuerySchema = shellQuerySchema.extend(sizeSchema.shape);

class CloseWith extends Error {
  constructor(readonly code: number, reason: string) {
    super(reason);
  }
}

const toBuffer = (data: RawData): Buffer =>
  Buffer.isBuffer(data)
    ? data
    : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]);

/** A close frame's reason is at most 123 bytes. */
function closeReason(text: string): string {
  const bytes = Buffer.from(text);
  return bytes.length <= 123 ? text : `${bytes.subarray(0, 120).toString()}…`;
}

function closeCodeOf(error: unknown): CloseWith {
  if (error instanceof CloseWith) return error;
  const { name, message } = error as Error;
  const codes: Record<string, number> = {
    NotAllowedError: TERMINAL_CLOSE_CODES.forbidden,
    NotFoundError: TERMINAL_CLOSE_CODES.notFound,
    InputError: TERMINAL_CLOSE_CODES.badRequest,
  };
  return new CloseWith(
    codes[name] ?? TERMINAL_CLOSE_CODES.clusterError,
    message,
  );
}

/** Where a terminal goes, once authorized. */
interface TerminalTarget {
  kind: 'attach' | 'shell';
  userRef: string;
  entityRef: string;
  cluster: string;
  namespace: string;
  pod: string;
  container: string;
  toolkit?: string;
  sessionName?: string;
  /** Closes the terminal at this time (the session's expiry). */
  expiresAt?: string;
  cols: number;
  rows: number;
}

/** Handles the terminal sockets of the debug terminal plugin. */
export class TerminalSockets {
  private readonly server = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    // The Backstage token is the only protocol the browser offers; echo it
    // back as the handshake requires.
    handleProtocols: protocols => [...protocols][0] ?? false,
  });
  private readonly openByUser = new Map<string, number>();

  constructor(
    private readonly options: {
      sessions: AuthorizedDebugSessionsService;
      auth: AuthService;
      clusters: ClusterAccess;
      recordings: RecordingStore;
      auditor: AuditorService;
      logger: LoggerService;
      settings: DebugTerminalSettings;
    },
  ) {}

  register(httpRouter: HttpRouterService, lifecycle: LifecycleService) {
    for (const path of ['/attach', '/shell'] as const) {
      httpRouter.addWebSocketHandler({
        path,
        authPolicy: 'unauthenticated',
        handler: ({ request, socket, head }) =>
          this.upgrade(path, request, socket, head),
      });
    }
    lifecycle.addShutdownHook(() => this.server.close());
  }

  private upgrade(
    path: '/attach' | '/shell',
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
  ) {
    this.server.handleUpgrade(request, socket, head, browser => {
      // Hold what the user types until the cluster stream is open: ws drops
      // messages that arrive before a listener.
      browser.pause();
      this.authenticate(request)
        .then(credentials => this.open(path, request, browser, credentials))
        .catch(error => {
          const { code, message } = closeCodeOf(error);
          // Read the browser's close reply, else the close waits for a timeout.
          browser.resume();
          if (browser.readyState === WebSocket.OPEN)
            browser.close(code, closeReason(message));
        });
    });
  }

  /**
   * The signed-in user whose Backstage token the socket offers, as the
   * framework finds it for authenticated WebSocket routes: a
   * Sec-WebSocket-Protocol value or an Authorization bearer token (tools).
   */
  private async authenticate(
    request: IncomingMessage,
  ): Promise<BackstageCredentials<BackstageUserPrincipal>> {
    const { auth } = this.options;
    const bearer =
      request.headers.authorization?.match(/^Bearer[ ]+(\S+)$/i)?.[1];
    const protocols =
      request.headers['sec-websocket-protocol']
        ?.split(',')
        .map(value => value.trim())
        .filter(Boolean) ?? [];
    const candidates = [...protocols, ...(bearer ? [bearer] : [])];
    let why =
      'no Backstage token: send it as the Sec-WebSocket-Protocol of the socket';
    for (const token of candidates.slice(0, 5)) {
      try {
        const credentials = await auth.authenticate(token);
        if (auth.isPrincipal(credentials, 'user')) return credentials;
        why = 'a terminal needs a signed-in user, not a service';
      } catch {
        why =
          'your sign-in is not valid (expired?); sign in again and reopen the terminal';
      }
    }
    throw new CloseWith(TERMINAL_CLOSE_CODES.unauthenticated, why);
  }

  private async open(
    path: '/attach' | '/shell',
    request: IncomingMessage,
    browser: WebSocket,
    credentials: BackstageCredentials<BackstageUserPrincipal>,
  ) {
    const query = Object.fromEntries(
      new URL(request.url ?? '/', 'http://localhost').searchParams,
    );
    const target =
      path === '/attach'
        ? await this.attachTarget(query, credentials)
        : await this.shellTarget(query, credentials);
    const open = this.openByUser.get(target.userRef) ?? 0;
    if (open >= this.options.settings.maxSessionsPerUser) {
      throw new CloseWith(
        TERMINAL_CLOSE_CODES.tooMany,
        `you have ${open} terminals open, the most allowed; close one first`,
      );
    }
    this.openByUser.set(target.userRef, open + 1);
    let counted = true;
    // A terminal stops counting when its connection ends, not when its
    // recording is written: a user who closes one may open the next at once.
    const uncount = () => {
      if (!counted) return;
      counted = false;
      const left = (this.openByUser.get(target.userRef) ?? 1) - 1;
      if (left > 0) this.openByUser.set(target.userRef, left);
      else this.openByUser.delete(target.userRef);
    };
    try {
      await this.bridge(browser, target, uncount);
    } finally {
      uncount();
    }
  }

  private async attachTarget(
    query: Record<string, string>,
    credentials: BackstageCredentials,
  ): Promise<TerminalTarget> {
    const parsed = attachQuerySchema.safeParse(query);
    if (!parsed.success)
      throw new CloseWith(
        TERMINAL_CLOSE_CODES.badRequest,
        describeIssues(parsed.error).join('; '),
      );
    const { entityRef, cluster, namespace, name, cols, rows } = parsed.data;
    const { session, userRef } = await this.options.sessions.attachTarget(
      entityRef,
      { cluster, namespace, name },
      { credentials },
    );
    if (session.phase !== 'Active' || !session.containerName) {
      throw new CloseWith(
        TERMINAL_CLOSE_CODES.notActive,
        `the session is ${session.phase ?? 'not started yet'}${
          session.message ? `: ${session.message}` : ''
        }`,
      );
    }
    if (session.expiresAt && Date.parse(session.expiresAt) <= Date.now()) {
      throw new CloseWith(
        TERMINAL_CLOSE_CODES.notActive,
        'the session has expired',
      );
    }
    return {
      kind: 'attach',
      userRef,
      entityRef,
      cluster,
      namespace,
      pod: session.copyPodName ?? session.podName,
      container: session.containerName,
      toolkit: session.toolkit ?? session.image,
      sessionName: name,
      expiresAt: session.expiresAt,
      cols,
      rows,
    };
  }

  private async shellTarget(
    query: Record<string, string>,
    credentials: BackstageCredentials,
  ): Promise<TerminalTarget> {
    const parsed = shellSocketQuerySchema.safeParse(query);
    if (!parsed.success)
      throw new CloseWith(
        TERMINAL_CLOSE_CODES.badRequest,
        describeIssues(parsed.error).join('; '),
      );
    const { cols, rows, ...where } = parsed.data;
    const { target, userRef } = await this.options.sessions.shellTarget(where, {
      credentials,
    });
    return {
      kind: 'shell',
      userRef,
      entityRef: where.entityRef,
      cluster: target.cluster,
      namespace: target.namespace,
      pod: target.pod.metadata!.name!,
      container: target.container,
      cols,
      rows,
    };
  }

  /** Connects the browser to the container until either side closes; audited and recorded. */
  private async bridge(
    browser: WebSocket,
    target: TerminalTarget,
    onDisconnected: () => void,
  ) {
    const { auditor, clusters, recordings, logger, settings } = this.options;
    const startedAt = new Date();
    const auditMeta = {
      actor: target.userRef,
      kind: target.kind,
      entityRef: target.entityRef,
      cluster: target.cluster,
      namespace: target.namespace,
      pod: target.pod,
      container: target.container,
      ...(target.toolkit ? { toolkit: target.toolkit } : {}),
      ...(target.sessionName ? { session: target.sessionName } : {}),
    };
    const audit = await auditor.createEvent({
      eventId: 'terminal',
      severityLevel: 'high',
      meta: { ...auditMeta, startedAt: startedAt.toISOString() },
    });
    const recordingId = await recordings.start(
      {
        ...target,
        userEntityRef: target.userRef,
        width: target.cols,
        height: target.rows,
      },
      startedAt,
    );

    let bytesIn = 0;
    let bytesOut = 0;
    let recordedBytes = 0;
    let truncated = false;
    let seq = 0;
    let pending: RecordingEvent[] = [];
    let writes = Promise.resolve();
    const flush = () => {
      if (pending.length === 0) return;
      const batch = pending;
      const first = seq;
      seq += batch.length;
      pending = [];
      writes = writes
        .then(() => recordings.append(recordingId, first, batch))
        .catch(error =>
          logger.warn(
            `terminal recording ${recordingId} lost events: ${error}`,
          ),
        );
    };
    const decoder = new TextDecoder();
    const record = (type: 'o' | 'i' | 'r', data: string) => {
      if (truncated) return;
      recordedBytes += Buffer.byteLength(data);
      if (recordedBytes > settings.recordingMaxBytes) {
        truncated = true;
        return;
      }
      pending.push([(Date.now() - startedAt.getTime()) / 1000, type, data]);
      if (pending.length >= RECORDING_BATCH) flush();
    };

    const query = new URLSearchParams({
      container: target.container,
      stdin: 'true',
      stdout: 'true',
      stderr: 'false',
      tty: 'true',
    });
    if (target.kind === 'shell') query.set('command', '/bin/sh');
    const apiPath = `/api/v1/namespaces/${encodeURIComponent(
      target.namespace,
    )}/pods/${encodeURIComponent(target.pod)}/${
      target.kind === 'shell' ? 'exec' : 'attach'
    }?${query}`;

    let endReason: { code: number; reason: string } | undefined;
    let cluster: WebSocket | undefined;
    const end = (code: number, reason: string) => {
      endReason ??= { code, reason };
      if (browser.readyState === WebSocket.OPEN)
        browser.close(code, closeReason(reason));
      if (cluster && cluster.readyState === WebSocket.OPEN) cluster.close();
    };

    let paused = false;
    let idleTimer: NodeJS.Timeout | undefined;
    const touch = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(
        () =>
          end(
            TERMINAL_CLOSE_CODES.idle,
            `nothing was typed or printed for ${settings.idleTimeoutSeconds} s`,
          ),
        settings.idleTimeoutSeconds * 1000,
      );
    };
    const expiryTimer = target.expiresAt
      ? setTimeout(
          () => end(TERMINAL_CLOSE_CODES.notActive, 'the session has expired'),
          Math.max(0, Date.parse(target.expiresAt) - Date.now()),
        )
      : undefined;

    const sendResize = (cols: number, rows: number) => {
      cluster?.send(
        frame(CHANNEL.resize, JSON.stringify({ Width: cols, Height: rows })),
      );
    };
    const fromCluster = (message: Buffer) => {
      const channel = message[0];
      const data = message.subarray(1);
      if (channel === CHANNEL.status) {
        const status = JSON.parse(data.toString()) as {
          status?: string;
          message?: string;
        };
        end(
          TERMINAL_CLOSE_CODES.ended,
          status.status === 'Success'
            ? 'the process ended'
            : `the process ended: ${status.message ?? status.status}`,
        );
        return;
      }
      if (channel !== CHANNEL.stdout && channel !== CHANNEL.stderr) return;
      touch();
      bytesOut += data.length;
      record('o', decoder.decode(data, { stream: true }));
      if (browser.readyState !== WebSocket.OPEN) return;
      browser.send(data, () => {
        if (paused && browser.bufferedAmount < BROWSER_LOW_WATER) {
          paused = false;
          cluster?.resume();
        }
      });
      if (!paused && browser.bufferedAmount > BROWSER_HIGH_WATER) {
        paused = true;
        cluster?.pause();
      }
    };

    try {
      cluster = await connectRemoteCommand(
        clusters.get(target.cluster).kubeConfig,
        apiPath,
      );
      cluster.on('message', (data: RawData) => fromCluster(toBuffer(data)));
    } catch (error) {
      clearTimeout(expiryTimer);
      const reason = `the cluster refused the terminal: ${
        (error as Error).message
      }`;
      await audit.fail({ meta: auditMeta, error: error as Error });
      await recordings.finish(recordingId, {
        endedAt: new Date(),
        bytesIn,
        bytesOut,
        truncated,
      });
      throw new CloseWith(TERMINAL_CLOSE_CODES.clusterError, reason);
    }

    sendResize(target.cols, target.rows);
    touch();
    await new Promise<void>(resolve => {
      cluster!.on('close', () => {
        end(TERMINAL_CLOSE_CODES.ended, 'the cluster closed the terminal');
        resolve();
      });
      browser.on('close', () => {
        endReason ??= { code: 1000, reason: 'closed by the user' };
        if (cluster!.readyState === WebSocket.OPEN) {
          // v5: end the process's input first, as kubectl does on EOF.
          if (cluster!.protocol === 'v5.channel.k8s.io')
            cluster!.send(Buffer.from([CHANNEL.close, CHANNEL.stdin]));
          cluster!.close();
        }
        resolve();
      });
      browser.on('message', (data: RawData, isBinary: boolean) => {
        touch();
        if (isBinary) {
          const input = toBuffer(data);
          bytesIn += input.length;
          record('i', input.toString());
          cluster!.send(frame(CHANNEL.stdin, input));
          return;
        }
        let message: unknown;
        try {
          message = JSON.parse(data.toString());
        } catch {
          message = undefined;
        }
        const control = terminalControlMessageSchema.safeParse(message);
        if (!control.success) {
          end(
            TERMINAL_CLOSE_CODES.badRequest,
            'text frames must be {"type":"resize","cols":…,"rows":…}; send keystrokes as binary frames',
          );
          return;
        }
        record('r', `${control.data.cols}x${control.data.rows}`);
        sendResize(control.data.cols, control.data.rows);
      });
      browser.resume();
    });
    onDisconnected();

    clearTimeout(idleTimer);
    clearTimeout(expiryTimer);
    flush();
    await writes;
    const endedAt = new Date();
    await recordings.finish(recordingId, {
      endedAt,
      bytesIn,
      bytesOut,
      truncated,
    });
    await audit.success({
      meta: {
        ...auditMeta,
        recording: recordingId,
        startedAt: startedAt.toISOString(),
        endedAt: endedAt.toISOString(),
        bytesIn,
        bytesOut,
        truncated,
        ended: endReason?.reason ?? 'closed',
      },
    });
  }
}
