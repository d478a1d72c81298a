/*
 * The Rollouts tab's benchmark (issue 14): how long the StoneView of a
 * 1,000-pod Stone takes to render once its data has arrived, and how long a
 * Stone-changed signal takes to reach the page (signal delivered → refetch →
 * the new stage on screen). Runs in jest's jsdom, not a browser: it times
 * React's work and the DOM writes, not layout or paint. Writes its numbers
 * into docs/benchmarks.md; it asserts nothing about time.
 *
 *   yarn workspace @cairn/plugin-rollouts bench [ROLLOUTS_BENCH_RUNS=10]
 */
import {
  codeVersion,
  machine,
  positiveInt,
  REPO_ROOT,
  summarize,
  writeDocSection,
} from '@cairn/bench-support';
import type { JsonObject } from '@backstage/types';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { SignalApi, signalApiRef } from '@backstage/plugin-signals-react';
import { act, cleanup, waitFor } from '@testing-library/react';
import {
  ROLLOUTS_SIGNAL_CHANNEL,
  StoneDetail,
} from '@cairn/plugin-rollouts-common';
import {
  baseStone,
  stoneDetail,
  updateScenario,
} from '@cairn/plugin-rollouts-common/testUtils';
import type { StoneStage } from '@cairn/operators-api';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { RolloutsApi, rolloutsApiRef } from '../src/api';
import { StoneView } from '../src/components/StoneView';

const RUNS = positiveInt('runs', process.env.ROLLOUTS_BENCH_RUNS ?? '10');
const GROUPS = 8;
const REPLICAS = 125;
const PODS = GROUPS * REPLICAS;

/** 8 groups of 125 pods, each group over its own zone's 3 hosts. */
function largeDetail(stage: StoneStage): StoneDetail {
  const stone = baseStone();
  stone.spec.coordinates = 'abcdefgh'.split('').map(zone => ({
    group: zone,
    replicas: REPLICAS,
    zoneset: [1, 2, 3].map(host => ({
      zone: `zone-${zone}`,
      rack: `rack-${zone}${host === 3 ? 2 : 1}`,
      host: `node-${zone}${host}`,
    })),
  }));
  return stoneDetail(updateScenario(stage, { stone }));
}

/**
 * The backend as the view sees it: each getStone answers the next stage's
 * detail as freshly parsed JSON (as the client's response.json() gives it)
 * and records when it did — the moment the data arrives.
 */
function backend(details: StoneDetail[]) {
  const bodies = details.map(d => JSON.stringify(d));
  const arrivals: number[] = [];
  const api = {
    getStone: async () => {
      const body = bodies[Math.min(arrivals.length, bodies.length - 1)];
      const detail = JSON.parse(body) as StoneDetail;
      arrivals.push(performance.now());
      return detail;
    },
  } as unknown as RolloutsApi;
  return { api, arrivals };
}

/** A Signals API whose messages the benchmark publishes. */
function signals() {
  const subscribers = new Set<(message: JsonObject) => void>();
  const api: SignalApi = {
    subscribe<TMessage extends JsonObject = JsonObject>(
      channel: string,
      onMessage: (message: TMessage) => void,
    ) {
      const deliver = onMessage as (message: JsonObject) => void;
      if (channel === ROLLOUTS_SIGNAL_CHANNEL) subscribers.add(deliver);
      return { unsubscribe: () => void subscribers.delete(deliver) };
    },
  };
  return {
    api,
    publish: (message: JsonObject) => subscribers.forEach(s => s(message)),
  };
}

/**
 * Waits until `ready()` holds, checking on every DOM change (no polling
 * delay); the checks are plain selectors, as role queries over 1,000 pods
 * would take longer than the render they time.
 */
const until = (ready: () => boolean) =>
  waitFor(
    () => {
      if (!ready()) throw new Error('not yet');
    },
    { interval: 1, timeout: 60_000 },
  );

const zonesShown = () =>
  document.querySelectorAll('[aria-label^="zone "]').length === GROUPS;
const buttonShown = (label: string) =>
  Array.from(document.querySelectorAll('button')).some(
    b => b.textContent === label,
  );

const renders: number[] = [];
const signalToPage: number[] = [];

describe(`StoneView of a ${PODS}-pod Stone`, () => {
  jest.setTimeout(600_000);

  afterAll(() => {
    const render = summarize(renders);
    const signal = summarize(signalToPage);
    const ms = (v: number) => `${v.toFixed(0)} ms`;
    const verdict = (v: number, aim: number) =>
      v < aim ? 'met' : '**not met**';
    const text = `Measured ${new Date()
      .toISOString()
      .slice(0, 10)} on ${machine()}, ${codeVersion([
      'plugins/rollouts',
      'plugins/rollouts-common',
    ])}. ${RUNS} runs each, in jest's jsdom (React 18, Material UI 4): React's work and the DOM writes, without a browser's layout and paint.

A Stone of ${PODS} pods (${GROUPS} groups of ${REPLICAS} over ${GROUPS} zones, 3 hosts each) at Alpha of an update. *Render*: from the detail's arrival (parsed JSON handed to the view) to the stage stepper, actions and topology of all ${GROUPS} zones in the DOM. *Signal → page*: from a Stone-changed signal delivered to the page to the refetched detail (now at Beta) on screen; the backend's publish and the Signals connection are not in it.

| Measure                | aim     | p50 | p95 | max | verdict |
| ---------------------- | ------- | --- | --- | --- | ------- |
| render after data      | < 1 s   | ${ms(render.p50)} | ${ms(
      render.p95,
    )} | ${ms(render.max)} | ${verdict(render.p95, 1000)} |
| signal → page updated  | < 1 s   | ${ms(signal.p50)} | ${ms(
      signal.p95,
    )} | ${ms(signal.max)} | ${verdict(signal.p95, 1000)} |

Run: \`yarn workspace @cairn/plugin-rollouts bench\`.`;
    writeDocSection(
      join(REPO_ROOT, 'docs/benchmarks.md'),
      {
        heading: 'Rollouts',
        start: '<!-- bench:rollouts:start -->',
        end: '<!-- bench:rollouts:end -->',
      },
      text,
    );
    // eslint-disable-next-line no-console
    console.log(text);
  });

  // A benchmark: it times and writes the numbers, and asserts nothing.
  // eslint-disable-next-line jest/expect-expect
  it('renders after its data arrives, and follows a signal', async () => {
    const alpha = largeDetail('Alpha');
    const beta = largeDetail('Beta');
    for (let run = 0; run < RUNS; run++) {
      const { api, arrivals } = backend([alpha, beta]);
      const signal = signals();
      const entityRef = `component:default/bench-${run}`;
      await renderInTestApp(
        <TestApiProvider
          apis={[
            [rolloutsApiRef, api],
            [signalApiRef, signal.api],
            [permissionApiRef, mockApis.permission()],
          ]}
        >
          <StoneView
            stone={{
              cluster: 'dev',
              namespace: 'shop',
              name: 'web',
              entityRef,
            }}
          />
        </TestApiProvider>,
      );
      await until(() => zonesShown() && buttonShown('Approve Beta'));
      renders.push(performance.now() - arrivals[0]);

      const published = performance.now();
      act(() =>
        signal.publish({
          cluster: 'dev',
          namespace: 'shop',
          name: 'web',
          entityRef,
        }),
      );
      await until(() => buttonShown('Approve Omega'));
      signalToPage.push(performance.now() - published);
      cleanup();
    }
  });
});
