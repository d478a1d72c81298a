/*
 * The dev cluster as the benchmark's child process: started in a process of
 * its own so that its resident memory and CPU time are measured apart from
 * the load generator's. Not for other uses; scripts/dev-cluster is the
 * standalone server.
 *
 *   node --require <nodeTransform.cjs> bench/server.ts --state-dir DIR [--no-workloads]
 *
 * Prints one JSON line `{"ready":true,...}` on stdout once it serves, answers
 * `{"type":"memory"}` messages on the IPC channel with process.memoryUsage()
 * (after a full GC when asked and started with --expose-gc),
 * appends `{"type":"mark"}` messages (phase boundaries) with the monotonic
 * time to $CAIRN_BENCH_MARKS for bench/profileSummary.ts, and with
 * $CAIRN_BENCH_PROFILE_DIR profiles each phase (from its `<phase>:start` to
 * its `<phase>:end` mark) into `<phase>.cpuprofile` there — written as the
 * phase ends, not at exit as node's --cpu-prof writes, which a server
 * stopping 10,000 pods on a busy machine did not reach before it was killed,
 * and stops cleanly on SIGTERM or when the IPC channel closes (so it never
 * outlives the benchmark).
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  announceReady,
  replyWithMemory,
  runChildMain,
  stopWithParent,
} from '@cairn/bench-support';
import { startDevCluster } from '../src';

type Request =
  | { type: 'memory'; id: number; gc?: boolean }
  | { type: 'mark'; name: string };

function isRequest(value: unknown): value is Request {
  const type = (value as { type?: unknown } | null)?.type;
  return type === 'memory' || type === 'mark';
}

/** Where phase marks go (monotonic microseconds, the clock of V8's CPU profiles). */
const MARKS_FILE = process.env.CAIRN_BENCH_MARKS;
const PROFILE_DIR = process.env.CAIRN_BENCH_PROFILE_DIR;

/** The V8 profiler of this process, one phase at a time. */
class PhaseProfiler {
  private readonly session = new Session();

  constructor(private readonly dir: string) {
    this.session.connect();
    this.post('Profiler.enable');
    // 2 ms, not 1: smaller profiles of long phases, enough samples still.
    this.post('Profiler.setSamplingInterval', { interval: 2000 });
  }

  private post(method: string, params?: object): Promise<any> {
    return new Promise((resolve, reject) =>
      this.session.post(method, params, (error, result) =>
        error ? reject(error) : resolve(result),
      ),
    );
  }

  async mark(name: string): Promise<void> {
    const [phase, edge] = name.split(':');
    if (edge === 'start') await this.post('Profiler.start');
    if (edge === 'end') {
      const { profile } = await this.post('Profiler.stop');
      writeFileSync(
        path.join(this.dir, `${phase}.cpuprofile`),
        JSON.stringify(profile),
      );
    }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'state-dir': { type: 'string' },
      'no-workloads': { type: 'boolean', default: false },
    },
  });
  const stateDir = values['state-dir'];
  if (!stateDir) throw new Error('--state-dir is required');
  const cluster = await startDevCluster({
    stateDir,
    port: 0,
    runWorkloads: !values['no-workloads'],
  });

  stopWithParent(() => cluster.stop());
  const profiler = PROFILE_DIR ? new PhaseProfiler(PROFILE_DIR) : undefined;
  process.on('message', (message: unknown) => {
    if (!isRequest(message)) return;
    if (message.type === 'mark') {
      if (MARKS_FILE) {
        const micros = Number(process.hrtime.bigint() / 1000n);
        appendFileSync(
          MARKS_FILE,
          `${JSON.stringify({ name: message.name, micros })}\n`,
        );
      }
      profiler?.mark(message.name).catch(error => {
        process.stderr.write(`profile ${message.name}: ${error}\n`);
      });
      return;
    }
    replyWithMemory(message.id, message.gc);
  });

  announceReady({
    ready: true,
    pid: process.pid,
    url: cluster.url,
    kubeconfigPath: cluster.kubeconfigPath,
  });
}

runChildMain('bench server', main);
