/*
 * Benchmark of the debug terminal (issue 15): the keystroke round trip
 * through portal → cluster → process (aim p95 < 30 ms locally), and many
 * terminals at once each flooded by its process (`yes`): the backend's
 * resident memory stays bounded by its back-pressure, and no terminal
 * starves.
 *
 * Not a test: it measures and reports, and fails only if something breaks.
 * It starts the dev cluster in this process with the portal's service
 * account and RBAC and a running pod of the entity, and the debug terminal
 * backend in a process of its own (bench/terminalBackend.ts: Backstage's
 * backend with the plugin, mock sign-in tokens and permissions as the
 * plugin's tests have them, recordings in PostgreSQL), so that its memory is
 * read apart from the cluster's and the clients'. The clients are
 * WebSockets in this process, as a browser's terminal would be: keystrokes
 * as binary frames to `/api/debug-terminal/shell`, which execs `/bin/sh`
 * with a TTY in the pod through `pods/exec`.
 *
 * 1. Round trip: one shell runs `stty raw -echo; exec cat`, so each byte
 *    goes browser → backend → cluster → pty → cat and back by the same way
 *    (cat echoes it, not the terminal driver). One byte at a time, timed
 *    from sending it to receiving its echo.
 * 2. Flood: `--sessions` shells each run `exec yes`; once every one has
 *    output, for `--flood-seconds` the bytes each terminal receives and the
 *    longest gap between its messages are counted, while the backend's
 *    resident memory is sampled.
 *
 * Run from the repository root:
 *
 *   yarn workspace @cairn/plugin-debug-terminal-backend bench [options]
 *
 * 3. Stalled browsers: `--stalled` more shells run `yes` and their clients
 *    stop reading for `--flood-seconds`, while the backend's resident memory
 *    is sampled: back-pressure must keep it from holding the flood.
 *
 * Options: --keystrokes N (500), --sessions N (200), --flood-seconds N (20),
 * --stalled N (10), --postgres-url URL, --no-write (do not refresh docs/benchmarks.md).
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  BenchChild,
  POSTGRES_URL_OPTION,
  benchOptions,
  cleanUpOnExit,
  codeVersion,
  cpuSeconds,
  machineCpuBusy,
  machineCpuTimes,
  describeLoad,
  loadAverage,
  log,
  machine,
  median,
  pool,
  publishReport,
  residentSetBytes,
  runBenchMain,
  sampleResidentPeak,
  summarize,
} from '@cairn/bench-support';
import {
  startPortalTestCluster,
  userAuth,
  waitFor,
} from '@cairn/plugin-kubernetes-node/testUtils';
import { CoreV1Api } from '@kubernetes/client-node';
import knexFactory, { Knex } from 'knex';
import WebSocket from 'ws';
import {
  BENCH_ENTITY_REF,
  BENCH_USER,
  TerminalBackendReady,
  TerminalBackendSettings,
} from './terminalBackend';

const {
  counts,
  write,
  values: args,
} = benchOptions({
  counts: { keystrokes: 500, sessions: 200, 'flood-seconds': 20, stalled: 10 },
  others: { 'postgres-url': POSTGRES_URL_OPTION },
});
const KEYSTROKES = counts.keystrokes;
const SESSIONS = counts.sessions;
const FLOOD_SECONDS = counts['flood-seconds'];
const STALLED = counts.stalled;
/** How long the stalled terminals are read first, to know their rate. */
const STALLED_RATE_MS = 3000;
const POSTGRES_URL = args['postgres-url']!;
const WARM_UP_KEYSTROKES = 20;
/** Terminals being opened at once while the flood starts. */
const OPEN_CONCURRENCY = 10;
const AIM_P95_MS = 30;
const NAMESPACE = 'shop';
const MIB = 1024 * 1024;
/** What the backend records of each terminal (debugTerminal.recording.maxBytes, its default). */
const RECORDING_MAX_BYTES = 5 * MIB;

const { children } = cleanUpOnExit();

/** A terminal as the browser has it: a socket to the shell route, counting what arrives. */
class Terminal {
  readonly socket: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<void>;
  bytes = 0;
  messages = 0;
  lastMessageAt = 0;
  /** The longest time between two messages since {@link startGapWatch}. */
  longestGapMs = 0;
  private watchingGaps = false;
  private closing = false;
  private text = '';
  private keepText = true;
  private onData?: (data: Buffer) => void;

  constructor(port: number) {
    const query = new URLSearchParams({
      entityRef: BENCH_ENTITY_REF,
      cluster: 'dev',
      namespace: NAMESPACE,
      pod: 'web',
      container: 'app',
      cols: '80',
      rows: '24',
    });
    this.socket = new WebSocket(
      `ws://127.0.0.1:${port}/api/debug-terminal/shell?${query}`,
      { headers: userAuth(BENCH_USER) },
    );
    this.socket.on('message', (data: Buffer) => {
      const now = performance.now();
      if (this.watchingGaps)
        this.longestGapMs = Math.max(
          this.longestGapMs,
          now - this.lastMessageAt,
        );
      this.lastMessageAt = now;
      this.bytes += data.length;
      this.messages += 1;
      if (this.keepText) this.text += data.toString();
      this.onData?.(data);
    });
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
    });
    this.closed = new Promise(resolve =>
      this.socket.once('close', (code, reason) => {
        if (!this.closing)
          log(`the backend closed a terminal: ${code} ${reason.toString()}`);
        resolve();
      }),
    );
  }

  type(text: string) {
    this.socket.send(Buffer.from(text), { binary: true });
  }

  /** Resolves once the output so far contains `text`. */
  async waitForText(text: string, timeoutMs: number) {
    await waitFor(
      async () => this.text,
      out => out.includes(text),
      `"${text}" in the terminal (got ${JSON.stringify(
        this.text.slice(-200),
      )})`,
      timeoutMs,
    );
  }

  /** Stops keeping the output's text (a flood would fill memory with it). */
  forgetText() {
    this.keepText = false;
    this.text = '';
  }

  startGapWatch() {
    this.watchingGaps = true;
    this.lastMessageAt = performance.now();
    this.longestGapMs = 0;
  }

  /** The time from sending `byte` to its echo arriving. */
  roundTrip(byte: string, timeoutMs = 10_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.onData = undefined;
        reject(new Error(`no echo of "${byte}" in ${timeoutMs} ms`));
      }, timeoutMs);
      const sent = performance.now();
      this.onData = data => {
        if (!data.includes(byte)) return;
        clearTimeout(timer);
        this.onData = undefined;
        resolve(performance.now() - sent);
      };
      this.type(byte);
    });
  }

  async close() {
    this.closing = true;
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close();
    await this.closed;
  }
}

/** Opens `count` terminals, each running `yes`, resolving once every one has output. */
async function openFlooded(port: number, count: number): Promise<Terminal[]> {
  const terminals: Terminal[] = [];
  await pool(count, OPEN_CONCURRENCY, async () => {
    const terminal = new Terminal(port);
    terminals.push(terminal);
    await terminal.opened;
    terminal.forgetText();
    terminal.type('exec yes\n');
    await waitFor(
      async () => terminal.bytes,
      bytes => bytes > 64 * 1024,
      'a terminal’s first output of yes',
      120_000,
    );
  });
  return terminals;
}

async function main() {
  const loadBefore = loadAverage();
  log('starting the dev cluster');
  const cluster = await startPortalTestCluster({ namespaces: [NAMESPACE] });
  const databasePrefix = `bench_terminal_${process.pid}_`;
  let backend: BenchChild<TerminalBackendReady> | undefined;
  const dbs: Knex[] = [];
  try {
    const core = cluster.admin.makeApiClient(CoreV1Api);
    await core.createNamespacedPod({
      namespace: NAMESPACE,
      body: {
        metadata: {
          name: 'web',
          labels: { 'backstage.io/kubernetes-id': 'web' },
        },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'registry.example/web:1',
              command: ['sh', '-c', 'while true; do sleep 1; done'],
            },
          ],
        },
      },
    });
    await waitFor(
      () => core.readNamespacedPod({ namespace: NAMESPACE, name: 'web' }),
      pod => pod.status?.phase === 'Running',
      'pod web to run',
    );

    log('starting the backend');
    const settings: TerminalBackendSettings = {
      kubernetesConfig: cluster.kubernetesConfig,
      postgresUrl: POSTGRES_URL,
      databasePrefix,
      maxSessionsPerUser: Math.max(SESSIONS, STALLED) + 1,
    };
    backend = await BenchChild.start<TerminalBackendReady>({
      name: 'the backend',
      entry: path.join(__dirname, 'terminalBackend.ts'),
      args: [],
      nodeArgs: ['--expose-gc'],
      env: {
        ...process.env,
        CAIRN_TERMINAL_BENCH_BACKEND: JSON.stringify(settings),
      },
      startTimeoutMs: 180_000,
      children,
      onUnexpectedExit: (description, stderr) =>
        log(`${description}:\n${stderr}`),
    });
    const { pid, port } = backend.ready;
    const db = knexFactory({
      client: 'pg',
      connection: `${POSTGRES_URL.replace(
        /\/$/,
        '',
      )}/${databasePrefix}debug-terminal`,
    });
    dbs.push(db);
    /** Waits until the backend has finished every terminal (its recording ended), the seconds it took. */
    const allFinished = async () => {
      const started = performance.now();
      await waitFor(
        async () =>
          Number(
            (
              await db('terminal_recordings')
                .whereNull('ended_at')
                .count({ open: '*' })
            )[0].open,
          ),
        open => open === 0,
        'the backend to finish every terminal’s recording',
        600_000,
      );
      return (performance.now() - started) / 1000;
    };
    const memoryAfterGc = async () => {
      await backend!.request({ type: 'memory', gc: true }, 60_000);
      return residentSetBytes(pid);
    };

    // 1. Keystroke round trip through cat.
    log(`timing ${KEYSTROKES} keystrokes`);
    const echo = new Terminal(port);
    await echo.opened;
    // The quotes keep READY out of the terminal driver's echo of the line.
    echo.type("stty raw -echo && printf 'RE''ADY' && exec cat\n");
    await echo.waitForText('READY', 60_000);
    await new Promise(resolve => setTimeout(resolve, 500));
    echo.forgetText();
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    for (let i = 0; i < WARM_UP_KEYSTROKES; i++)
      await echo.roundTrip(letters[i % letters.length]);
    const roundTrips: number[] = [];
    for (let i = 0; i < KEYSTROKES; i++)
      roundTrips.push(await echo.roundTrip(letters[i % letters.length]));
    await echo.close();
    const keystrokes = summarize(roundTrips);
    log(
      `round trip p50 ${keystrokes.p50.toFixed(
        1,
      )} ms, p95 ${keystrokes.p95.toFixed(1)} ms`,
    );

    // 2. The flood.
    const idleRss = await memoryAfterGc();
    log(`opening ${SESSIONS} terminals running yes`);
    const peakRss = sampleResidentPeak(pid, 100);
    const ownPeakRss = sampleResidentPeak(process.pid, 100);
    const floodStarted = performance.now();
    const terminals = await openFlooded(port, SESSIONS);
    const openSeconds = (performance.now() - floodStarted) / 1000;
    log(
      `all ${SESSIONS} flooding after ${openSeconds.toFixed(
        1,
      )} s; measuring for ${FLOOD_SECONDS} s`,
    );
    const bytesAtStart = terminals.map(t => t.bytes);
    const messagesAtStart = terminals.reduce((sum, t) => sum + t.messages, 0);
    for (const terminal of terminals) terminal.startGapWatch();
    const windowStarted = performance.now();
    const backendCpuBefore = cpuSeconds(pid);
    const ownCpuBefore = cpuSeconds(process.pid);
    const machineBefore = machineCpuTimes();
    await new Promise(resolve => setTimeout(resolve, FLOOD_SECONDS * 1000));
    const windowSeconds = (performance.now() - windowStarted) / 1000;
    /** Share of one core each process had over the window. */
    const backendCores = (cpuSeconds(pid) - backendCpuBefore) / windowSeconds;
    const ownCores = (cpuSeconds(process.pid) - ownCpuBefore) / windowSeconds;
    const machineBusy = machineCpuBusy(machineBefore, machineCpuTimes());
    const pastRecordingCap = terminals.filter(
      t => t.bytes > RECORDING_MAX_BYTES,
    ).length;
    const received = terminals.map((t, i) => t.bytes - bytesAtStart[i]);
    const messages =
      terminals.reduce((sum, t) => sum + t.messages, 0) - messagesAtStart;
    // A terminal's longest gap counts its wait up to the window's end too.
    const now = performance.now();
    const longestGaps = terminals.map(t =>
      Math.max(t.longestGapMs, now - t.lastMessageAt),
    );
    const floodRss = residentSetBytes(pid);
    const peak = peakRss();
    const ownPeak = ownPeakRss();
    const closing = performance.now();
    await Promise.all(terminals.map(t => t.close()));
    const closedSeconds = (performance.now() - closing) / 1000;
    log(
      `closed in ${closedSeconds.toFixed(
        1,
      )} s; waiting for the backend to finish their recordings`,
    );
    const finishedSeconds = closedSeconds + (await allFinished());
    const afterRss = await memoryAfterGc();

    // 3. Browsers that stop reading: the backend must pause their cluster
    // streams rather than hold what `yes` keeps writing.
    log(`${STALLED} terminals running yes whose browsers stop reading`);
    const stalledIdleRss = await memoryAfterGc();
    const stalledPeakRss = sampleResidentPeak(pid, 100);
    const stalled = await openFlooded(port, STALLED);
    // Their own rate while read, for what a stall would pile up.
    const readBytes = () => stalled.reduce((sum, t) => sum + t.bytes, 0);
    const rateBefore = readBytes();
    const rateStarted = performance.now();
    await new Promise(resolve => setTimeout(resolve, STALLED_RATE_MS));
    const stalledRate =
      (readBytes() - rateBefore) / ((performance.now() - rateStarted) / 1000);
    const ownStallRss = residentSetBytes(process.pid);
    const ownStallPeakRss = sampleResidentPeak(process.pid, 100);
    for (const terminal of stalled) terminal.socket.pause();
    const stallStarted = performance.now();
    await new Promise(resolve => setTimeout(resolve, FLOOD_SECONDS * 1000));
    const stallSeconds = (performance.now() - stallStarted) / 1000;
    const stalledPeak = stalledPeakRss();
    const ownStallPeak = ownStallPeakRss();
    for (const terminal of stalled) terminal.socket.resume();
    await Promise.all(stalled.map(t => t.close()));
    await allFinished();
    const loadAfter = loadAverage();

    const total = received.reduce((sum, b) => sum + b, 0);
    const sorted = [...received].sort((a, b) => a - b);
    const gaps = summarize(longestGaps);
    const starved = received.filter(b => b === 0).length;

    const ms = (v: number) => `${v < 10 ? v.toFixed(1) : v.toFixed(0)} ms`;
    const mib = (b: number) => `${(b / MIB).toFixed(b < 10 * MIB ? 1 : 0)} MiB`;
    const kib = (b: number) => `${(b / 1024).toFixed(0)} KiB`;
    const pct = (cores: number) => `${(cores * 100).toFixed(0)} %`;
    const report = [
      `Measured ${new Date()
        .toISOString()
        .slice(0, 10)} on ${machine()}, ${codeVersion([
        'plugins/debug-terminal-backend',
        'plugins/kubernetes-node',
        'packages/dev-cluster',
      ])}. ${describeLoad(loadBefore, loadAfter)}`,
      '',
      `The backend (debug-terminal plugin in Backstage's backend, mock sign-in tokens as in the plugin's tests, every permission asked for and allowed by a mock, recordings in PostgreSQL) runs in a process of its own; the dev cluster (with its pod processes and their PTYs) and the WebSocket clients, one per terminal as a browser would open, run in the benchmark's process. Each terminal is \`/api/debug-terminal/shell\`: \`/bin/sh\` with a TTY in the entity's pod through \`pods/exec\`, bridged over \`v5.channel.k8s.io\`, audited and recorded as in production.`,
      '',
      `**Keystroke round trip** (browser → backend → cluster → pty → \`cat\` → back; the shell ran \`stty raw -echo && exec cat\`, so the program echoes, not the terminal driver), one byte at a time, ${KEYSTROKES} keystrokes after ${WARM_UP_KEYSTROKES} unmeasured:`,
      '',
      '| aim p95 | p50 | p95 | p99 | max | verdict |',
      '| --- | --- | --- | --- | --- | --- |',
      `| < ${AIM_P95_MS} ms | ${ms(keystrokes.p50)} | ${ms(
        keystrokes.p95,
      )} | ${ms(keystrokes.p99)} | ${ms(keystrokes.max)} | ${
        keystrokes.p95 < AIM_P95_MS ? 'met' : '**missed**'
      } |`,
      '',
      `**${SESSIONS} terminals flooded by \`yes\`** (each process writes as fast as its PTY takes it): opened ${OPEN_CONCURRENCY} at a time, all flooding after ${openSeconds.toFixed(
        1,
      )} s, then measured over ${windowSeconds.toFixed(
        1,
      )} s while the backend's resident memory was sampled every 100 ms.`,
      '',
      '| What | Value |',
      '| --- | --- |',
      `| backend RSS idle (after GC, before the flood) | ${mib(idleRss)} |`,
      `| backend RSS peak during the flood (growth) | ${mib(peak)} (+${mib(
        peak - idleRss,
      )}, ${kib((peak - idleRss) / SESSIONS)} per terminal) |`,
      `| backend RSS at the window's end / after closing all and GC | ${mib(
        floodRss,
      )} / ${mib(afterRss)} |`,
      `| output delivered, all terminals | ${mib(total)} (${mib(
        total / windowSeconds,
      )}/s) in ${messages} messages (${kib(
        total / Math.max(1, messages),
      )} each on average) |`,
      `| per terminal over the window: min / median / max | ${kib(
        sorted[0],
      )} / ${kib(median(received))} / ${kib(sorted[sorted.length - 1])} |`,
      `| terminals that received nothing in the window | ${starved} of ${SESSIONS} |`,
      `| longest wait between two messages of a terminal: median / p95 / worst | ${ms(
        gaps.p50,
      )} / ${ms(gaps.p95)} / ${ms(gaps.max)} |`,
      `| machine CPU over the window (all processes, both cores) | ${pct(
        machineBusy.busy,
      )} busy, ${pct(machineBusy.kernel)} in the kernel |`,
      `| CPU over the window: backend / benchmark process (dev cluster, PTYs, clients) | ${pct(
        backendCores,
      )} / ${pct(ownCores)} of one core |`,
      `| benchmark process RSS peak | ${mib(ownPeak)} |`,
      `| from closing every terminal to all their recordings written and marked ended (the backend then audits and releases the user's terminal count) | ${finishedSeconds.toFixed(
        1,
      )} s |`,
      `| terminals past the recording cap (${mib(
        RECORDING_MAX_BYTES,
      )} of output) by the window's end | ${pastRecordingCap} of ${SESSIONS} |`,
      '',
      `The bridge pauses a terminal's cluster stream while more than 1 MiB waits for its browser (resumes under 256 KiB), so the backend's growth is bounded by that per terminal plus recording batches (each terminal records its first ${mib(
        RECORDING_MAX_BYTES,
      )} of output, \`debugTerminal.recording.maxBytes\`, in batches of 100 events written to PostgreSQL). Starvation shows as a terminal with little or no output in the window or a long gap; on this machine the clients, the cluster and the ${SESSIONS} \`yes\` processes compete for the same 2 cores as the backend, so the total throughput is the machine's, not the backend's.`,
      '',
      `**${STALLED} terminals whose browser stops reading** (the client's socket paused) while \`yes\` runs, for ${stallSeconds.toFixed(
        1,
      )} s: the backend's RSS peaked at ${mib(stalledPeak)}, +${mib(
        stalledPeak - stalledIdleRss,
      )} above its size after GC before they opened (${kib(
        (stalledPeak - stalledIdleRss) / STALLED,
      )} per terminal). Read, they had received ${mib(
        stalledRate,
      )}/s together in the ${
        STALLED_RATE_MS / 1000
      } s before the stall: at that rate their \`yes\` processes would have written about ${mib(
        stalledRate * stallSeconds,
      )} meanwhile, which the backend would hold without the pause; with it, at most about 1 MiB per terminal waits in the backend (the kernel's socket buffers between it and the clients hold more, outside its RSS). Over the stall the benchmark process (the dev cluster with the PTYs, and the clients) grew by ${mib(
        ownStallPeak - ownStallRss,
      )}.`,
      '',
      `Run: \`yarn workspace @cairn/plugin-debug-terminal-backend bench\` (options: --keystrokes, --sessions, --flood-seconds, --stalled, --postgres-url, --no-write; \`--sessions 10 --flood-seconds 5\` is a quick run).`,
    ].join('\n');
    publishReport(
      report,
      {
        heading: 'Debug terminal',
        start: '<!-- bench:debug-terminal:start -->',
        end: '<!-- bench:debug-terminal:end -->',
      },
      { write },
    );
  } finally {
    for (const db of dbs) await db.destroy();
    if (backend && !backend.alive)
      log(`the backend exited:\n${backend.stderr}`);
    await backend?.stop();
    await cluster.stop();
    const server = knexFactory({ client: 'pg', connection: POSTGRES_URL });
    await server.raw('drop database if exists ?? with (force)', [
      `${databasePrefix}debug-terminal`,
    ]);
    await server.destroy();
  }
}

runBenchMain(main);
