/*
 * The Nodes page's benchmark (issue 19): how long the topology drawing of
 * a 1,000-node cluster takes to render once its data has arrived, and to
 * redraw after a click selects a node. Runs in jest's jsdom, not a browser:
 * it times React's work and the DOM writes, not layout or paint. Writes its
 * numbers into docs/benchmarks.md; it asserts nothing about time.
 *
 *   yarn workspace @cairn/plugin-environments bench [ENVIRONMENTS_BENCH_RUNS=10]
 */
import {
  codeVersion,
  machine,
  positiveInt,
  REPO_ROOT,
  summarize,
  writeDocSection,
} from '@cairn/bench-support';
import { useState } from 'react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { act, cleanup, fireEvent, waitFor } from '@testing-library/react';
import { DEFAULT_TOPOLOGY_LABELS } from '@cairn/operators-api';
import type { ClusterTopology } from '@cairn/plugin-environments-common';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EnvironmentsApi, environmentsApiRef } from '../src/api';
import { NodesView } from '../src/components/NodesView';

const RUNS = positiveInt('runs', process.env.ENVIRONMENTS_BENCH_RUNS ?? '10');
const ZONES = 10;
const RACKS = 10;
const HOSTS = 10;
const NODES = ZONES * RACKS * HOSTS;

/** 10 zones × 10 racks × 10 hosts, each node in 2 environments, as the API serves it. */
function topologyJson(): string {
  const topology: ClusterTopology = {
    cluster: 'bench',
    labels: DEFAULT_TOPOLOGY_LABELS,
    nodes: Array.from({ length: NODES }, (_, i) => {
      const zone = Math.floor(i / (RACKS * HOSTS));
      const rack = Math.floor(i / HOSTS) % RACKS;
      const name = `node-${zone}-${rack}-${i % HOSTS}`;
      return {
        name,
        zone: `zone-${zone}`,
        rack: `zone-${zone}-rack-${rack}`,
        host: name,
        ready: true,
        pods: i % 17,
        environments: [`env-${zone}-${rack}`, `env-${zone}`],
      };
    }),
    storageClasses: ['standard'],
    canLabel: true,
  };
  return JSON.stringify(topology);
}

/** Waits until `ready()` holds, checking on every DOM change (plain selectors: role queries over 1,000 nodes would cost more than the render). */
const until = (ready: () => boolean) =>
  waitFor(
    () => {
      if (!ready()) throw new Error('not yet');
    },
    { interval: 1, timeout: 60_000 },
  );

/** The page the data is handed to once the app around it has rendered. */
const page = { deliver: (_: ClusterTopology) => {} };
function Page() {
  const [topology, setTopology] = useState<ClusterTopology>();
  page.deliver = setTopology;
  return topology ? (
    <NodesView topology={topology} onChanged={() => {}} />
  ) : null;
}

const renders: number[] = [];
const selections: number[] = [];

const loadBefore = loadavg()[0];

describe(`the Nodes drawing of ${NODES} nodes`, () => {
  jest.setTimeout(600_000);

  afterAll(() => {
    const render = summarize(renders);
    const select = summarize(selections);
    const ms = (v: number) => `${v.toFixed(0)} ms`;
    const verdict = (v: number, aim: number) =>
      v < aim ? 'met' : '**not met**';
    const text = `Measured ${new Date()
      .toISOString()
      .slice(0, 10)} on ${machine()}, ${codeVersion([
      'plugins/environments',
      'plugins/environments-common',
    ])}, load average ${loadBefore.toFixed(
      1,
    )} at the start (2 cores). ${RUNS} runs each, in jest's jsdom (React 18, Material UI 4): React's work and the DOM writes, without a browser's layout and paint.

The Nodes tab (\`NodesView\`, as ops see it: nodes selectable) of a cluster of ${NODES} nodes (${ZONES} zones × ${RACKS} racks × ${HOSTS} hosts, each node in 2 environments). *Render*: from the topology's JSON handed to the page (parsed there, the app around it already rendered) to all ${NODES} node tiles in the DOM. *Select*: from a click on a node to the page showing it selected.

| Measure                | aim   | p50 | p95 | max | verdict |
| ---------------------- | ----- | --- | --- | --- | ------- |
| render after data      | < 1 s | ${ms(render.p50)} | ${ms(render.p95)} | ${ms(
      render.max,
    )} | ${verdict(render.p95, 1000)} |
| click → node selected  | —     | ${ms(select.p50)} | ${ms(select.p95)} | ${ms(
      select.max,
    )} | — |

Run: \`yarn workspace @cairn/plugin-environments bench\`.`;
    writeDocSection(
      join(REPO_ROOT, 'docs/benchmarks.md'),
      {
        heading: 'Environments: the Nodes page',
        start: '<!-- bench:environments-nodes:start -->',
        end: '<!-- bench:environments-nodes:end -->',
      },
      text,
    );
    // eslint-disable-next-line no-console
    console.log(text);
  });

  // A benchmark: it times and writes the numbers, and asserts nothing.
  // eslint-disable-next-line jest/expect-expect
  it('renders after its data arrives, and redraws on a selection', async () => {
    const json = topologyJson();
    for (let run = 0; run < RUNS; run++) {
      // The app around the view renders first; the data then arrives.
      await renderInTestApp(
        <TestApiProvider apis={[[environmentsApiRef, {} as EnvironmentsApi]]}>
          <Page />
        </TestApiProvider>,
      );
      const arrived = performance.now();
      act(() => page.deliver(JSON.parse(json) as ClusterTopology));
      await until(
        () => document.querySelectorAll('[data-node]').length === NODES,
      );
      renders.push(performance.now() - arrived);

      const tile = document.querySelector<HTMLElement>(
        `[data-node="node-5-5-${run % HOSTS}"]`,
      )!;
      const clicked = performance.now();
      act(() => {
        fireEvent.click(tile);
      });
      await until(() => tile.getAttribute('aria-pressed') === 'true');
      selections.push(performance.now() - clicked);
      cleanup();
    }
  });
});
