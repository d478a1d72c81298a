/*
 * Benchmark of the Rollouts tab in a real browser (issue 14): how long the
 * tab takes to paint a Stone of 1,000 pods once its detail has arrived, and
 * how long a stage change in the cluster takes to reach the open page —
 * through the backend's watch, the signals backend and its WebSocket, the
 * page's refetch and its paint. Aims: both under 1 s.
 *
 * Not a test: it measures and reports, and fails only if something breaks.
 *
 * What runs where, and why:
 * - The page is the portal's own app (the Rollouts tab of the entity page)
 *   as `scripts/start` serves it on :3000 — it must be running — in
 *   Debian's Chromium driven by Playwright, headless, with the repository's
 *   browser-test flags.
 * - Its backend is not the portal's: the page's requests to
 *   localhost:7007 go to a backend this script starts (Chromium's
 *   --host-resolver-rules maps that address to it, so the page, its
 *   requests and its WebSocket are as in the portal). That backend is the
 *   real thing assembled as packages/backend assembles it (createBackend):
 *   the rollouts plugin, the catalog backend with the entities below, the
 *   auth backend with guest sign-in, the permission backend with Cairn's
 *   policy and the signals backend; only notifications are left out (not
 *   on the path measured). Its cluster is a dev cluster of its own, filled
 *   as the API benchmark fills it (stoneCluster.ts): a Stone of 1,000 pods
 *   needs the pods to exist without 1,000 workloads running, and the
 *   portal's shared dev cluster, which runs the operator, kubelets and
 *   other people's tests, would have done both.
 * - The operator does not run, so the Stone holds still; a stage change is
 *   made as an approval makes it, by patching the Stone's spec.strategy
 *   (Beta → Omega, then back, alternately), and the page shows the stage
 *   from spec.strategy.
 *
 * Render after data: from the detail response's last byte (the Resource
 * Timing entry's responseEnd) to the frame after the stage stepper, the
 * stage and the topology of every zone and rack are in the DOM (a
 * MutationObserver sees them; then requestAnimationFrame and the task after
 * it, i.e. once that frame is painted). Each run is a fresh load of the tab.
 * Stage change → page: from the patch sent (this process's clock) to the
 * frame after the page shows the new stage (the page's clock; both are the
 * machine's clock).
 *
 * Run from the repository root, with the portal up (scripts/start):
 *
 *   yarn workspace @cairn/plugin-rollouts-backend bench:page [options]
 *
 * Options: --pods N (1000: 8 groups over 3 zones), --runs N (10 loads of
 * the tab), --changes N (20 stage changes), --app-url URL (the portal's
 * frontend, http://localhost:3000), --no-write (do not refresh
 * docs/benchmarks.md). CAIRN_CHROMIUM overrides /usr/bin/chromium.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createBackend } from '@backstage/backend-defaults';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import authPlugin from '@backstage/plugin-auth-backend';
import guestProviderModule from '@backstage/plugin-auth-backend-module-guest-provider';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { notificationService } from '@backstage/plugin-notifications-node';
import permissionPlugin from '@backstage/plugin-permission-backend';
import signalsPlugin from '@backstage/plugin-signals-backend';
import {
  benchOptions,
  codeVersion,
  describeLoad,
  freePort,
  loadAverage,
  log,
  machine,
  publishReport,
  runBenchMain,
  summarize,
} from '@cairn/bench-support';
import permissionModuleCairnPolicy from '@cairn/plugin-permission-backend-module-cairn';
import {
  startPortalTestCluster,
  waitFor,
} from '@cairn/plugin-kubernetes-node/testUtils';
import {
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { chromium, Page } from '@playwright/test';
import { rolloutsPlugin } from '../src/plugin';
import { fillStoneCluster, GROUPS, stoneApi } from './stoneCluster';

const {
  counts,
  write,
  values: args,
} = benchOptions({
  counts: { pods: 1000, runs: 10, changes: 20 },
  others: { 'app-url': { type: 'string', default: 'http://localhost:3000' } },
});

const REPLICAS = Math.ceil(counts.pods / GROUPS);
const PODS = GROUPS * REPLICAS;
const APP_URL = args['app-url'].replace(/\/$/, '');
/** Where the portal's frontend sends its backend requests (app-config.yaml's backend.baseUrl). */
const PORTAL_BACKEND = 'localhost:7007';
const CHROMIUM = process.env.CAIRN_CHROMIUM ?? '/usr/bin/chromium';
const AIM_MS = 1000;
const NAMESPACE = 'shop';
const NAME = 'web';
/** What the filled cluster's topology shows: 3 zones of 2 racks. */
const ZONES = 3;
const RACKS = 6;
const DETAIL_PATH = `/api/rollouts/stones/dev/${NAMESPACE}/${NAME}`;

/** The catalog the page reads: the Stone's component, its owners, the guest among them. */
const CATALOG = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: NAME,
      annotations: { 'backstage.io/kubernetes-id': NAME },
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'team-a' },
    spec: { type: 'team', children: [] },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'guest' },
    spec: { memberOf: ['team-a'] },
  },
];

/** The epoch time in ms, at sub-millisecond resolution, as the page's `timeOrigin + now()` gives it. */
const epochNow = () => performance.timeOrigin + performance.now();

/**
 * Installed in the page before its scripts: `__paintedWhen(predicate)`
 * resolves with the page time (ms since its time origin) of the frame after
 * the one in which `predicate()` first held, i.e. once that DOM is painted.
 * Checked on every DOM change (no polling delay).
 */
function installPaintProbe() {
  // window.performance: this module's `performance` is node:perf_hooks',
  // which the transpiler would put here.
  // The tab's requests and the changes' refetches, all kept.
  window.performance.setResourceTimingBufferSize(100_000);
  const w = window as any;
  w.__paintedWhen = (predicate: () => boolean) =>
    new Promise<{ domAt: number; paintedAt: number }>(resolve => {
      let observer: MutationObserver | undefined;
      const check = () => {
        if (!predicate()) return false;
        if (observer) observer.disconnect();
        const domAt = window.performance.now();
        requestAnimationFrame(() => {
          // The task after the frame's callbacks runs once it is painted.
          const channel = new MessageChannel();
          channel.port1.onmessage = () =>
            resolve({ domAt, paintedAt: window.performance.now() });
          channel.port2.postMessage(null);
        });
        return true;
      };
      if (!check()) {
        observer = new MutationObserver(check);
        observer.observe(document, {
          childList: true,
          subtree: true,
          characterData: true,
        });
      }
    });
}

/**
 * In the page: whether the Stone's stage `stage` is shown with the stepper
 * and the topology of every zone and rack.
 */
function tabShows(expected: { stage: string; zones: number; racks: number }) {
  // The chip's label span (the app's class names are generated).
  const chips = () => Array.from(document.querySelectorAll('span'));
  return (
    !!document.querySelector('[aria-label="Release stages"]') &&
    document.querySelectorAll('[aria-label^="zone "]').length ===
      expected.zones &&
    document.querySelectorAll('[data-testid^="rack-"]').length ===
      expected.racks &&
    chips().some(c => c.textContent === `stage ${expected.stage}`)
  );
}

/**
 * What runs in each document of the page before its scripts: the paint
 * probe, and on the Rollouts tab the wait for the Stone at Beta (from the
 * document's start, so the first render cannot be missed).
 */
const PAGE_SCRIPT = `(${installPaintProbe})();
window.__tabShows = ${tabShows};
if (location.pathname.endsWith('/rollouts')) {
  window.__tabPainted = __paintedWhen(() => __tabShows(${JSON.stringify({
    stage: 'Beta',
    zones: ZONES,
    racks: RACKS,
  })}));
}`;

/** Opens the tab afresh and times its render after the detail's arrival. */
async function loadTab(page: Page) {
  // Committed is enough: the probe runs from the document's start.
  await page.goto(`${APP_URL}/catalog/default/component/${NAME}/rollouts`, {
    waitUntil: 'commit',
  });
  const result = (await page.evaluate(
    `(async () => {
      const painted = await Promise.race([
        window.__tabPainted,
        new Promise(resolve => setTimeout(resolve, 180000)),
      ]);
      if (!painted) {
        return { stuck: {
          href: location.href,
          probe: typeof window.__tabPainted,
          stepper: !!document.querySelector('[aria-label="Release stages"]'),
          zones: document.querySelectorAll('[aria-label^="zone "]').length,
          racks: document.querySelectorAll('[data-testid^="rack-"]').length,
          text: document.body.innerText.slice(0, 500),
        } };
      }
      const { domAt, paintedAt } = painted;
      const details = performance
        .getEntriesByType('resource')
        .filter(e => new URL(e.name).pathname === ${JSON.stringify(
          DETAIL_PATH,
        )} && e.responseEnd <= domAt);
      const detail = details[details.length - 1];
      return {
        domAt,
        paintedAt,
        requestedAt: detail ? detail.startTime : NaN,
        arrivedAt: detail ? detail.responseEnd : NaN,
        detailRequests: details.length,
      };
    })()`,
  )) as {
    domAt: number;
    paintedAt: number;
    requestedAt: number;
    arrivedAt: number;
    detailRequests: number;
    stuck?: unknown;
  };
  if (result.stuck) {
    throw new Error(
      `the tab did not show the Stone within 3 minutes: ${JSON.stringify(
        result.stuck,
      )}`,
    );
  }
  if (!Number.isFinite(result.arrivedAt)) {
    throw new Error('the detail request was not seen by the page');
  }
  return result;
}

/**
 * Opens every collapsed rack at once (its "Show N hosts" button) and times
 * it until every pod's square is painted: the topology at full detail.
 */
async function expandRacks(page: Page): Promise<number> {
  return (await page.evaluate(
    `(async () => {
      const started = performance.now();
      const painted = __paintedWhen(() =>
        document.querySelectorAll('section[aria-label^="zone "] [role="img"]').length === ${PODS},
      );
      document
        .querySelectorAll('[data-testid^="rack-"] button')
        .forEach(button => button.click());
      const { paintedAt } = await painted;
      return paintedAt - started;
    })()`,
  )) as number;
}

async function main() {
  // The portal's frontend must be up: this benchmark does not start one.
  const app = await fetch(APP_URL).catch(() => undefined);
  if (!app?.ok) {
    throw new Error(
      `The portal's frontend does not answer at ${APP_URL}: start it with scripts/start (or pass --app-url)`,
    );
  }
  const loadBefore = loadAverage();
  log('starting the dev cluster (no kubelets, no Tekton)');
  const cluster = await startPortalTestCluster({
    namespaces: [NAMESPACE],
    devCluster: { runWorkloads: false, tekton: false },
  });
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'cairn-rollouts-page-'));
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const custom = cluster.admin.makeApiClient(CustomObjectsApi);
    const fillSeconds = await fillStoneCluster(cluster.admin, {
      namespace: NAMESPACE,
      name: NAME,
      kubernetesId: NAME,
      replicas: REPLICAS,
    });
    log(`filled in ${fillSeconds.toFixed(0)} s; starting the backend`);

    const catalogFile = path.join(workDir, 'catalog.yaml');
    writeFileSync(
      catalogFile,
      CATALOG.map(entity => JSON.stringify(entity)).join('\n---\n'),
    );
    const port = await freePort();
    const backend = createBackend();
    backend.add(rolloutsPlugin);
    backend.add(catalogPlugin);
    backend.add(authPlugin);
    backend.add(guestProviderModule);
    backend.add(permissionPlugin);
    backend.add(permissionModuleCairnPolicy);
    backend.add(signalsPlugin);
    // Not on the path measured (and the portal's notifications backend
    // would need its own database and signals' recipients resolved).
    backend.add(
      createServiceFactory({
        service: notificationService,
        deps: {},
        factory: () => ({ send: async () => {} }),
      }),
    );
    backend.add(mockServices.rootLogger.factory({ level: 'warn' }));
    backend.add(
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: APP_URL },
          backend: {
            baseUrl: `http://${PORTAL_BACKEND}`,
            listen: { host: '127.0.0.1', port },
            cors: {
              origin: APP_URL,
              methods: ['GET', 'HEAD', 'PATCH', 'POST', 'PUT', 'DELETE'],
              credentials: true,
            },
            database: { client: 'better-sqlite3', connection: ':memory:' },
          },
          auth: {
            providers: {
              guest: {
                userEntityRef: 'user:default/guest',
                dangerouslyAllowOutsideDevelopment: true,
              },
            },
          },
          catalog: {
            rules: [{ allow: ['Component', 'Group', 'User', 'Location'] }],
            locations: [{ type: 'file', target: catalogFile }],
          },
          permission: { enabled: true },
          cairn: { permission: { opsGroups: ['group:default/ops'] } },
          kubernetes: cluster.kubernetesConfig as any,
        },
      }),
    );
    await backend.start();
    cleanups.push(() => backend.stop());
    const base = `http://127.0.0.1:${port}`;

    // The backend is ready for the page once the catalog holds the guest
    // and the component and the Stone's detail has every pod.
    const token = async () => {
      const res = await fetch(`${base}/api/auth/guest/refresh`, {
        headers: { 'X-Requested-With': 'XMLHttpRequest' },
      });
      if (!res.ok) return undefined;
      return (await res.json()).backstageIdentity.token as string;
    };
    const detailWithAllPods = await waitFor(
      async () => {
        const signIn = await token().catch(() => undefined);
        if (!signIn) return false;
        const res = await fetch(
          `${base}${DETAIL_PATH}?entityRef=${encodeURIComponent(
            `component:default/${NAME}`,
          )}`,
          { headers: { Authorization: `Bearer ${signIn}` } },
        ).catch(() => undefined);
        return res?.ok && (await res.json()).pods.length === PODS && !!signIn;
      },
      ready => !!ready,
      `the catalog and the detail with all ${PODS} pods`,
      300_000,
    );
    if (!detailWithAllPods) throw new Error('the backend never got ready');

    log('starting Chromium');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--host-resolver-rules=MAP ${PORTAL_BACKEND} 127.0.0.1:${port}`,
      ],
    });
    cleanups.unshift(() => browser.close());
    const page = await browser.newPage({
      viewport: { width: 1440, height: 900 },
    });
    page.on('websocket', ws => {
      if (!ws.url().endsWith('/api/signals')) return;
      log(`the page opened a WebSocket to ${ws.url()}`);
      if (process.env.ROLLOUTS_PAGE_BENCH_DEBUG) {
        ws.on('framereceived', f => log(`signals frame: ${f.payload}`));
        ws.on('close', () => log('signals WebSocket closed'));
        ws.on('socketerror', e => log(`signals WebSocket error: ${e}`));
      }
    });
    // The machine may be busy: the app's development build loads slowly.
    page.setDefaultTimeout(180_000);
    page.setDefaultNavigationTimeout(180_000);
    await page.addInitScript({ content: PAGE_SCRIPT });
    await page.goto(APP_URL);
    await page.getByRole('button', { name: 'Enter' }).click();
    await page
      .getByRole('button', { name: 'Enter' })
      .waitFor({ state: 'hidden', timeout: 60_000 });
    // The app compiled and cached once before the runs.
    await page.goto(`${APP_URL}/catalog/default/component/${NAME}/rollouts`);
    await page
      .getByLabel('Release stages')
      .waitFor({ state: 'visible', timeout: 120_000 });

    log(`${counts.runs} loads of the tab`);
    const renders: number[] = [];
    const doms: number[] = [];
    const expands: number[] = [];
    const loads: number[] = [];
    for (let run = 0; run < counts.runs; run++) {
      const r = await loadTab(page);
      renders.push(r.paintedAt - r.arrivedAt);
      doms.push(r.domAt - r.arrivedAt);
      expands.push(await expandRacks(page));
      loads.push(r.paintedAt);
      log(
        `run ${run + 1}: painted ${(r.paintedAt - r.arrivedAt).toFixed(
          0,
        )} ms after the detail arrived (its request took ${(
          r.arrivedAt - r.requestedAt
        ).toFixed(0)} ms)`,
      );
    }

    // The page stays open on the tab; each change alternates the stage.
    // The tab afresh, racks collapsed as a user first sees it; the page
    // stays open on it. A first change, not measured, waits
    // for the whole way to work: the backend learns the catalog's entities
    // (which Stone is whose) once a minute, and may have first asked before
    // the catalog held the component.
    await loadTab(page);
    const pageOrigin = (await page.evaluate(
      'performance.timeOrigin',
    )) as number;
    let shownStage = 'Beta';
    let attempt = 0;
    /**
     * Patches the Stone's spec.strategy to the stage it does not show (and
     * an annotation, so even a repeated patch is a change), and times the
     * open page until it shows it; undefined if it did not within
     * `timeoutMs`.
     */
    const changeStage = async (timeoutMs: number) => {
      const stage = shownStage === 'Beta' ? 'Omega' : 'Beta';
      await page.evaluate(
        // (`; 0`: evaluate would await the promise assigned.)
        `window.__stageShown = __paintedWhen(() => __tabShows(${JSON.stringify({
          stage,
          zones: ZONES,
          racks: RACKS,
        })})); 0`,
      );
      const sent = epochNow();
      await custom.patchNamespacedCustomObject(
        {
          ...stoneApi(NAMESPACE),
          name: NAME,
          body: {
            metadata: {
              annotations: { 'bench.cairn.dev/change': `${attempt++}` },
            },
            spec: { strategy: stage },
          },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      const sentInPage = sent - pageOrigin;
      const shown = (await page.evaluate(
        `Promise.race([
          window.__stageShown,
          new Promise(resolve => setTimeout(resolve, ${timeoutMs})),
        ]).then(painted => painted && {
          paintedAt: painted.paintedAt,
          refetchedAt: performance
            .getEntriesByType('resource')
            .filter(e => new URL(e.name).pathname === ${JSON.stringify(
              DETAIL_PATH,
            )} && e.startTime > ${sentInPage})
            .map(e => e.startTime)[0],
        })`,
      )) as { paintedAt: number; refetchedAt?: number } | null;
      if (!shown) return undefined;
      shownStage = stage;
      // Past the backend's throttle (one signal per Stone per 500 ms), so
      // each change is signalled on its own.
      await new Promise(resolve => setTimeout(resolve, 700));
      return {
        stage,
        shownAfter: shown.paintedAt - sentInPage,
        refetchAfter:
          shown.refetchedAt === undefined
            ? undefined
            : shown.refetchedAt - sentInPage,
      };
    };
    log('a first stage change, to see it reach the page');
    const warmStarted = performance.now();
    while (!(await changeStage(15_000))) {
      if (performance.now() - warmStarted > 180_000) {
        throw new Error('no stage change reached the page in 3 minutes');
      }
      log('not on the page after 15 s; changing again');
    }

    log(`${counts.changes} stage changes`);
    const changes: number[] = [];
    const toRefetch: number[] = [];
    for (let i = 0; i < counts.changes; i++) {
      const timed = await changeStage(60_000);
      if (!timed) {
        throw new Error(`stage change ${i + 1} did not reach the page in 60 s`);
      }
      changes.push(timed.shownAfter);
      if (timed.refetchAfter !== undefined) {
        toRefetch.push(timed.refetchAfter);
      }
      log(
        `change ${i + 1} (→ ${
          timed.stage
        }): on the page after ${timed.shownAfter.toFixed(0)} ms`,
      );
    }
    const loadAfter = loadAverage();

    const render = summarize(renders);
    const dom = summarize(doms);
    const change = summarize(changes);
    const refetch = summarize(toRefetch);
    const load = summarize(loads);
    const ms = (v: number) => `${v.toFixed(0)} ms`;
    const verdict = (p95: number, aim?: number) => {
      if (!aim) return '—';
      return p95 < aim ? 'met' : 'missed';
    };
    const row = (name: string, s: ReturnType<typeof summarize>, aim?: number) =>
      `| ${name} | ${aim ? `< ${aim / 1000} s` : '—'} | ${ms(s.p50)} | ${ms(
        s.p95,
      )} | ${ms(s.max)} | ${verdict(s.p95, aim)} |`;
    const chromiumVersion = browser.version();
    const report = [
      `Measured ${new Date()
        .toISOString()
        .slice(
          0,
          10,
        )} on ${machine()}, Chromium ${chromiumVersion} (headless, Debian's), ${codeVersion(
        [
          'plugins/rollouts',
          'plugins/rollouts-backend',
          'plugins/rollouts-common',
          'packages/app',
        ],
      )}. ${describeLoad(loadBefore, loadAfter)}`,
      '',
      `The portal's app as \`scripts/start\` serves it (development build), its backend requests sent to a backend of the benchmark's (the rollouts, catalog, auth, permission and signals backends, assembled as the portal's) over a dev cluster of its own holding a Stone of ${PODS} pods (${GROUPS} groups over ${ZONES} zones of 2 racks of 3 hosts, racks collapsed to their counts as the tab shows them past 60 pods) at Beta of an update; plugins/rollouts-backend/bench/page.bench.ts says why. _Render after data_: from the detail response's last byte to the frame after the stage stepper, the stage and every zone and rack are in the DOM (${counts.runs} fresh loads of the tab); _DOM complete_ is the same without waiting for the paint. _Every rack opened_: then a click on every rack's "Show 3 hosts" at once, to the frame after all ${PODS} pods' squares are in the DOM (each with its tooltip). _Stage change → page_: from the patch of spec.strategy sent to the cluster (as an approval makes it; Beta and Omega alternately) to the frame after the open page shows the new stage, through the backend's watch, its throttle (one signal per Stone per 500 ms), the signals backend's WebSocket, the page's refetch of the detail and its render (${counts.changes} changes); _change → refetch sent_ is its part up to the page asking for the new detail.`,
      '',
      '| Measure | aim | p50 | p95 | max | verdict |',
      '| --- | --- | --- | --- | --- | --- |',
      row('render after data', render, AIM_MS),
      row('(DOM complete after data)', dom),
      row(`every rack opened → ${PODS} pods painted`, summarize(expands)),
      row('(navigation → painted)', load),
      row('stage change → page', change, AIM_MS),
      row('(change → refetch sent)', refetch),
      '',
      `Run, with the portal up: \`yarn workspace @cairn/plugin-rollouts-backend bench:page\` (options: --pods, --runs, --changes, --app-url).`,
    ].join('\n');
    publishReport(
      report,
      {
        heading: 'Rollouts in a browser',
        start: '<!-- bench:rollouts-browser:start -->',
        end: '<!-- bench:rollouts-browser:end -->',
      },
      { write },
    );
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => {});
    await cluster.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

runBenchMain(main);
