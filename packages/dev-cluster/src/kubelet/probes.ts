import { request } from 'node:http';
import { connect } from 'node:net';
import type { V1Container, V1Probe } from '@kubernetes/client-node';
import type { ProcessRuntime } from '../runtime/processRuntime';

/** Which probe: they differ in what a failure does. */
export type ProbeKind = 'Startup' | 'Readiness' | 'Liveness';

export interface ProbeResult {
  success: boolean;
  /** What the kubelet puts after "<Kind> probe failed: ". */
  output: string;
}

function resolvePort(
  port: number | string,
  container: V1Container,
): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return container.ports?.find(p => p.name === port)?.containerPort;
}

function execProbe(
  runtime: ProcessRuntime,
  containerId: string,
  command: string[],
  timeoutMs: number,
): Promise<ProbeResult> {
  return new Promise(resolve => {
    let output = '';
    let session;
    try {
      session = runtime.exec(containerId, { command });
    } catch (error) {
      resolve({ success: false, output: (error as Error).message });
      return;
    }
    const timer = setTimeout(() => {
      session.close();
      resolve({
        success: false,
        output: `command timed out: "${command.join(' ')}" timed out after ${
          timeoutMs / 1000
        }s`,
      });
    }, timeoutMs);
    session.on('stdout', (data: Buffer) => (output += data.toString()));
    session.on('stderr', (data: Buffer) => (output += data.toString()));
    session.finished().then(end => {
      clearTimeout(timer);
      if (end.error) resolve({ success: false, output: end.error });
      else resolve({ success: end.exitCode === 0, output });
    });
  });
}

function tcpProbe(
  host: string,
  port: number,
  timeoutMs: number,
): Promise<ProbeResult> {
  return new Promise(resolve => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve({ success: true, output: '' });
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve({
        success: false,
        output: `dial tcp ${host}:${port}: i/o timeout`,
      });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === 'ECONNREFUSED'
          ? 'connect: connection refused'
          : error.message;
      resolve({
        success: false,
        output: `dial tcp ${host}:${port}: ${reason}`,
      });
    });
  });
}

function httpProbe(
  host: string,
  port: number,
  path: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<ProbeResult> {
  const url = `http://${host}:${port}${path}`;
  return new Promise(resolve => {
    const req = request(
      url,
      {
        headers: { 'User-Agent': 'kube-probe/1.33', ...headers },
        timeout: timeoutMs,
      },
      res => {
        res.resume();
        const code = res.statusCode ?? 0;
        if (code >= 200 && code < 400) resolve({ success: true, output: '' });
        else
          resolve({
            success: false,
            output: `HTTP probe failed with statuscode: ${code}`,
          });
      },
    );
    req.once('timeout', () => {
      req.destroy();
      resolve({
        success: false,
        output: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
      });
    });
    req.once('error', (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === 'ECONNREFUSED'
          ? `dial tcp ${host}:${port}: connect: connection refused`
          : error.message;
      resolve({ success: false, output: `Get "${url}": ${reason}` });
    });
    req.end();
  });
}

/** Runs a probe once against a container, as the kubelet's prober does. */
export function runProbe(
  probe: V1Probe,
  container: V1Container,
  runtime: ProcessRuntime,
  containerId: string,
  /** Where tcpSocket and httpGet probes without a `host` go, as the kubelet's go to the pod IP. */
  podIP: string,
): Promise<ProbeResult> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.exec)
    return execProbe(runtime, containerId, probe.exec.command ?? [], timeoutMs);
  if (probe.tcpSocket) {
    const port = resolvePort(probe.tcpSocket.port, container);
    if (port === undefined)
      return Promise.resolve({
        success: false,
        output: `unknown port ${probe.tcpSocket.port}`,
      });
    return tcpProbe(probe.tcpSocket.host ?? podIP, port, timeoutMs);
  }
  if (probe.httpGet) {
    const port = resolvePort(probe.httpGet.port, container);
    if (port === undefined)
      return Promise.resolve({
        success: false,
        output: `unknown port ${probe.httpGet.port}`,
      });
    const headers = Object.fromEntries(
      (probe.httpGet.httpHeaders ?? []).map(h => [h.name, h.value]),
    );
    return httpProbe(
      probe.httpGet.host ?? podIP,
      port,
      probe.httpGet.path ?? '/',
      headers,
      timeoutMs,
    );
  }
  return Promise.resolve({
    success: false,
    output: 'unsupported probe handler (grpc probes are not supported)',
  });
}

/**
 * Probes one container periodically (initialDelaySeconds, then every
 * periodSeconds) and reports when the result flips after successThreshold
 * successes or failureThreshold failures.
 */
export class ProbeWorker {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private successes = 0;
  private failures = 0;
  /** The settled result: undefined until the first threshold is reached. */
  result?: boolean;

  constructor(
    readonly kind: ProbeKind,
    private readonly probe: V1Probe,
    private readonly run: () => Promise<ProbeResult>,
    private readonly onFailure: (output: string) => void,
    private readonly onResult: (success: boolean) => void,
  ) {}

  start(): void {
    this.schedule((this.probe.initialDelaySeconds ?? 0) * 1000);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    const outcome = await this.run();
    if (this.stopped) return;
    if (outcome.success) {
      this.failures = 0;
      this.successes++;
      if (
        this.result !== true &&
        this.successes >= (this.probe.successThreshold ?? 1)
      )
        this.settle(true);
    } else {
      this.successes = 0;
      this.failures++;
      this.onFailure(outcome.output);
      if (
        this.result !== false &&
        this.failures >= (this.probe.failureThreshold ?? 3)
      )
        this.settle(false);
    }
    // A startup probe stops once it has succeeded.
    if (this.kind === 'Startup' && this.result === true) return;
    this.schedule((this.probe.periodSeconds ?? 10) * 1000);
  }

  private settle(success: boolean): void {
    this.result = success;
    this.onResult(success);
  }
}
