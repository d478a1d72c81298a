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
 * time to $CAIRN_BENCH_MARKS for bench/profileSummary.ts,
 * and stops cleanly on SIGTERM or when the IPC channel closes (so it never
 * outlives the benchmark).
 */
import { appendFileSync } from 'node:fs';
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
