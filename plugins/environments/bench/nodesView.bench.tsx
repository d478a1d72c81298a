/*
 * The Nodes page's benchmark (issue 19): how long the topology drawing of
 * a 1,000-node cluster takes to render once its data has arrived, and to
 * redraw after a click selects a node; and the render of a cluster of
 * 1,000 nodes none of which has Cairn's labels yet (one from the original
 * system, before its nuwa labels are imported). Runs in jest's jsdom, not a browser:
 * it times React's work and the DOM writes, not layout or paint. Writes its
 * numbers into docs/benchmarks.md; it asserts nothing about time.
 *
 *   yarn workspace @cairn/plugin-environments bench [ENVIRONMENTS_BENCH_RUNS=10]
 */
import {
  codeVersion,
  describeLoad,
  loadAverage,
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
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EnvironmentsApi, environmentsApiRef } from '../src/api';
import { NodesView } from '../src/components/NodesView';

const RUNS = positiveInt('runs', process.env.ENVIRONMENTS_BENCH_RUNS ?? '10');
const ZONES = 10;
const RACKS = 10;
const HOSTS = 10;
const NODES = ZONES * RACKS * HOSTS;

/**
 * 10 zones × 10 racks × 10 hosts, each node in 2 environments, as the API
 * serves it; `unlabelled`: the same nodes with only their nuwa labels, to
 * import.
 */
function topologyJson(unlabelled = false): string {
  const topology: ClusterTopology = {
    cluster: 'bench',
    labels: DEFAULT_TOPOLOGY_LABELS,
    nodes: Array.from({ length: NODES }, (_, i) => {
      const zone = Math.floor(i / (RACKS * HOSTS));
      const rack = Math.floor(i / HOSTS) % RACKS;
      const name = `node-${zone}-${rack}-${i % HOSTS}`;
      const labels = {
        zone: `zone-${zone}`,
        rack: `zone-${zone}-rack-${rack}`,
        host: name,
      };
      return {
        name,
        ...(unlabelled
          ? {
              nuwaImport: {
                [DEFAULT_TOPOLOGY_LABELS.zone]: labels.zone,
                [DEFAULT_TOPOLOGY_LABELS.rack]: labels.rack,
              },
            }
          : labels),
        ready: true,
        pods: i % 17,
        environments: unlabelled ? [] : [`env-${zone}-${rack}`, `env-${zone}`],
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
const renderCpu: number[] = [];
const selections: number[] = [];
const refetches: number[] = [];
const unlabelledRenders: number[] = [];

/** This process's CPU time (user and system) in milliseconds: what a render cost, whatever else ran on the cores meanwhile. */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

const loadBefore = loadAverage();

describe(`the Nodes drawing of ${NODES} nodes`, () => {
  jest.setTimeout(600_000);

  afterAll(() => {
    const loadAfter = loadAverage();
    const render = summarize(renders);
    const cpu = summarize(renderCpu);
    const select = summarize(selections);
    const refetch = summarize(refetches);
    const unlabelled = summarize(unlabelledRenders);
    const ms = (v: number) => `${v.toFixed(0)} ms`;
    const verdict = (v: number, aim: number) =>
      v < aim ? 'met' : '**not met**';
    const text = `Measured ${new Date()
      .toISOString()
      .slice(0, 10)} on ${machine()}, ${codeVersion([
      'plugins/environments',
      'plugins/environments-common',
    ])}. ${describeLoad(
      loadBefore,
      loadAfter,
    )} ${RUNS} runs each, in jest's jsdom (React 18, Material UI 4): React's work and the DOM writes, without a browser's layout and paint.

The Nodes tab (\`NodesView\`, as ops see it: nodes selectable) of a cluster of ${NODES} nodes (${ZONES} zones × ${RACKS} racks × ${HOSTS} hosts, each node in 2 environments). *Render*: from the topology's JSON handed to the page (parsed there, the app around it already rendered) to all ${NODES} node tiles in the DOM. *Select*: from a click on a node to the page showing it selected. *Refetch*: from a refetched topology (as on a signal) with one node's pods changed, handed to the page, to the page showing them. *Render, unlabelled*: the same nodes without Cairn's labels, with nuwa labels to import (a cluster from the original system): all in the unlabelled list, of which the first 120 tiles are drawn until ops ask for all. The runs in order (the first includes the first render's one-off costs: style sheets, code paths not yet compiled): render ${renders
      .map(ms)
      .join(', ')} (CPU ${renderCpu
      .map(ms)
      .join(', ')}); unlabelled ${unlabelledRenders.map(ms).join(', ')}.

| Measure                | aim   | p50 | p95 | max | verdict |
| ---------------------- | ----- | --- | --- | --- | ------- |
| render after data      | < 1 s | ${ms(render.p50)} | ${ms(render.p95)} | ${ms(
      render.max,
    )} | ${verdict(render.p95, 1000)} |
| render after data: this process's CPU time | — | ${ms(cpu.p50)} | ${ms(
      cpu.p95,
    )} | ${ms(cpu.max)} | — |
| click → node selected  | —     | ${ms(select.p50)} | ${ms(select.p95)} | ${ms(
      select.max,
    )} | — |
| refetch, one node changed → shown | — | ${ms(refetch.p50)} | ${ms(
      refetch.p95,
    )} | ${ms(refetch.max)} | — |
| render after data, unlabelled | < 1 s | ${ms(unlabelled.p50)} | ${ms(
      unlabelled.p95,
    )} | ${ms(unlabelled.max)} | ${verdict(unlabelled.p95, 1000)} |

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
      const cpuBefore = cpuMs();
      act(() => page.deliver(JSON.parse(json) as ClusterTopology));
      await until(
        () => document.querySelectorAll('[data-node]').length === NODES,
      );
      renders.push(performance.now() - arrived);
      renderCpu.push(cpuMs() - cpuBefore);

      const tile = document.querySelector<HTMLElement>(
        `[data-node="node-5-5-${run % HOSTS}"]`,
      )!;
      const clicked = performance.now();
      act(() => {
        fireEvent.click(tile);
      });
      await until(() => tile.getAttribute('aria-pressed') === 'true');
      selections.push(performance.now() - clicked);

      // A refetch on a signal: the same topology, one node's pods changed.
      const refetched = JSON.parse(json) as ClusterTopology;
      const changed = refetched.nodes.find(
        n => n.name === `node-3-3-${run % HOSTS}`,
      )!;
      changed.pods += 100;
      const delivered = performance.now();
      act(() => page.deliver(refetched));
      await until(
        () =>
          document
            .querySelector(`[data-node="${changed.name}"]`)
            ?.textContent?.includes(`${changed.pods} pods`) ?? false,
      );
      refetches.push(performance.now() - delivered);
      cleanup();
    }
  });

  // eslint-disable-next-line jest/expect-expect
  it('renders a cluster of nodes with nuwa labels only', async () => {
    const json = topologyJson(true);
    for (let run = 0; run < RUNS; run++) {
      await renderInTestApp(
        <TestApiProvider apis={[[environmentsApiRef, {} as EnvironmentsApi]]}>
          <Page />
        </TestApiProvider>,
      );
      const arrived = performance.now();
      act(() => page.deliver(JSON.parse(json) as ClusterTopology));
      await until(
        () =>
          document
            .querySelector('[aria-label="unlabelled nodes"] button:last-child')
            ?.textContent?.startsWith('Show all') ?? false,
      );
      unlabelledRenders.push(performance.now() - arrived);
      cleanup();
    }
  });
});
