/*
 * Summarizes a V8 CPU profile written by `devCluster.bench.ts --cpu-prof`
 * (one per phase: create, lists, top, watch, jobs):
 * the functions with the most self time, and the dev cluster's own functions
 * with the most total (inclusive) time, with file and line.
 *
 *   node --require ./node_modules/@backstage/cli/config/nodeTransform.cjs \
 *     packages/dev-cluster/bench/profileSummary.ts FILE.cpuprofile \
 *     [--phase create|lists|watch] [--top N]
 *
 * With --phase, only the samples between the phase's marks (marks.jsonl, next
 * to the profile, written by bench/server.ts) count.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

function frameName(frame: CallFrame): string {
  const file = frame.url
    ? path.relative(REPO_ROOT, frame.url.replace(/^file:\/\//, ''))
    : '';
  const fn = frame.functionName || '(anonymous)';
  return file ? `${fn} ${file}:${frame.lineNumber + 1}` : fn;
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      phase: { type: 'string' },
      top: { type: 'string', default: '25' },
    },
  });
  const file = positionals[0];
  if (!file)
    throw new Error(
      'usage: profileSummary.ts FILE.cpuprofile [--phase NAME] [--top N]',
    );
  const top = Number(values.top);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  let from = -Infinity;
  let to = Infinity;
  if (values.phase) {
    const marksFile = path.join(path.dirname(file), 'marks.jsonl');
    if (!existsSync(marksFile)) throw new Error(`no ${marksFile}`);
    const marks = readFileSync(marksFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(line => JSON.parse(line) as { name: string; micros: number });
    const mark = (name: string) => {
      const found = marks.find(m => m.name === name);
      if (!found) throw new Error(`no mark ${name} in ${marksFile}`);
      return found.micros;
    };
    from = mark(`${values.phase}:start`);
    to = mark(`${values.phase}:end`);
  }
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) byId.set(node.id, node);
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);

  // Self time per node from the samples (microseconds).
  const selfMicros = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let time = profile.startTime;
  for (let i = 0; i < samples.length; i++) {
    time += deltas[i] ?? 0;
    if (time < from || time > to) continue;
    const dt = deltas[i + 1] ?? 0;
    selfMicros.set(samples[i], (selfMicros.get(samples[i]) ?? 0) + dt);
  }
  const totalMicros =
    Math.min(to, profile.endTime) - Math.max(from, profile.startTime);

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, micros] of selfMicros) {
    const node = byId.get(id)!;
    const name = frameName(node.callFrame);
    self.set(name, (self.get(name) ?? 0) + micros);
    // Inclusive time: once per distinct function on the stack.
    const seen = new Set<string>();
    for (
      let at: number | undefined = id;
      at !== undefined;
      at = parent.get(at)
    ) {
      const n = frameName(byId.get(at)!.callFrame);
      if (seen.has(n)) continue;
      seen.add(n);
      inclusive.set(n, (inclusive.get(n) ?? 0) + micros);
    }
  }

  const pct = (micros: number) =>
    `${((micros / totalMicros) * 100).toFixed(1).padStart(5)} %`;
  const print = (title: string, entries: Array<[string, number]>) => {
    process.stdout.write(`\n${title}\n`);
    for (const [name, micros] of entries.slice(0, top))
      process.stdout.write(
        `${pct(micros)} ${(micros / 1000)
          .toFixed(0)
          .padStart(7)} ms  ${name}\n`,
      );
  };
  process.stdout.write(
    `${values.phase ? `phase ${values.phase}: ` : ''}${(
      totalMicros / 1e6
    ).toFixed(1)} s of profile (percentages of wall time)\n`,
  );
  print(
    'self time',
    [...self].sort((a, b) => b[1] - a[1]),
  );
  print(
    'total time, functions of packages/dev-cluster/src',
    [...inclusive]
      .filter(([name]) => name.includes('packages/dev-cluster/src'))
      .sort((a, b) => b[1] - a[1]),
  );
}

main();
