import type { Entity } from '@backstage/catalog-model';
import {
  coreExtensionData,
  PageBlueprint,
  useRouteRef,
} from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  renderInTestApp,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { PipelinesApi, pipelinesApiRef } from '@cairn/plugin-pipelines';
import pipelinesPlugin from '@cairn/plugin-pipelines/alpha';
import templateStorePlugin from '@cairn/plugin-template-store/alpha';
import { screen } from '@testing-library/react';
import { RolloutsApi, rolloutsApiRef } from '@cairn/plugin-rollouts';
import rolloutsPlugin from '@cairn/plugin-rollouts/alpha';
import {
  DebugTerminalApi,
  debugTerminalApiRef,
} from '@cairn/plugin-debug-terminal';
import debugTerminalPlugin from '@cairn/plugin-debug-terminal/alpha';

/*
 * Cairn's entity tabs (Pipelines' CI/CD, Rollouts, Debug) in an app on
 * Backstage's new frontend system: each
 * plugin's entity-content extension is mounted by the app machinery
 * (createExtensionTester), declares its tab, opts entities in by their
 * annotations, and renders its content for an entity.
 */

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'web',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-id': 'web',
      'cairn.dev/pipelines': 'true',
    },
  },
  spec: {
    type: 'service',
    owner: 'group:default/team',
    lifecycle: 'production',
  },
};
const withoutAnnotations: Entity = {
  ...entity,
  metadata: { name: 'docs', namespace: 'default' },
};

const rolloutsApi: Pick<RolloutsApi, 'listStones'> = {
  listStones: async () => ({ items: [], clusterErrors: [] }),
};
const pipelinesApi: Partial<PipelinesApi> = {
  listRuns: async () => ({ items: [], totalCount: 0, clusterErrors: [] }),
  listPipelines: async () => ({ items: [], clusterErrors: [] }),
  watchRuns: (_entityRef, _onChanges, signal) =>
    new Promise(resolve => signal.addEventListener('abort', () => resolve())),
};
const debugTerminalApi: Partial<DebugTerminalApi> = {
  listPods: async () => ({ items: [], clusterErrors: [] }),
  listSessions: async () => ({ items: [] }),
  listRecordings: async () => ({ items: [] }),
  toolkits: async () => ({
    items: [],
    customImageAllowed: false,
    maxTtlSeconds: 3600,
  }),
};
const apis = [
  [rolloutsApiRef, rolloutsApi],
  [pipelinesApiRef, pipelinesApi],
  [debugTerminalApiRef, debugTerminalApi],
] as const;

describe.each([
  {
    plugin: rolloutsPlugin,
    id: 'entity-content:rollouts',
    title: 'Rollouts',
    path: '/rollouts',
    shows: 'No Stones',
  },
  {
    plugin: pipelinesPlugin,
    id: 'entity-content:pipelines',
    title: 'CI/CD',
    path: '/ci-cd',
    shows: 'No pipeline runs yet',
  },
  {
    plugin: debugTerminalPlugin,
    id: 'entity-content:debug-terminal',
    title: 'Debug',
    path: '/debug',
    shows: /No debug sessions yet/,
  },
])(
  'the $title tab on the new frontend system',
  ({ plugin, id, title, path, shows }) => {
    const tester = () =>
      createExtensionTester((plugin as any).getExtension(id), {
        apis: apis as any,
      });

    it('is an entity content extension for entities that opt in', () => {
      const t = tester();
      expect(t.get(EntityContentBlueprint.dataRefs.title)).toBe(title);
      expect(t.get(coreExtensionData.routePath)).toBe(path);
      const filter = t.get(
        EntityContentBlueprint.dataRefs.filterFunction,
      ) as unknown as (e: Entity) => boolean;
      expect(filter(entity)).toBe(true);
      expect(filter(withoutAnnotations)).toBe(false);
    });

    it('renders its content for the entity', async () => {
      await renderInTestApp(
        <EntityProvider entity={entity}>
          {tester().reactElement()}
        </EntityProvider>,
        { apis: apis as any },
      );
      // The tab's code loads lazily, as in the app; the Pipelines tab's is large.
      expect(
        await screen.findByText(shows, undefined, { timeout: 15000 }),
      ).toBeInTheDocument();
    });
  },
);

/*
 * The builder's "Save to store" links to the template store through the
 * Pipelines plugin's external route, which on the new frontend system binds
 * itself to the store's page wherever the app mounts it.
 */
describe('the Pipelines plugin’s route to the template store on the new frontend system', () => {
  function StoreLink() {
    const storeRoute = useRouteRef(
      pipelinesPlugin.externalRoutes.templateStore,
    );
    return <span>store at {storeRoute?.() ?? 'nowhere'}</span>;
  }

  // A page of the app's own showing where the link goes.
  const probe = PageBlueprint.make({
    name: 'store-link-probe',
    params: { path: '/probe', loader: async () => <StoreLink /> },
  });

  it('is the store’s page when the app has the store, and absent when it has not', async () => {
    const withStore = renderTestApp({
      features: [pipelinesPlugin, templateStorePlugin],
      extensions: [probe],
      initialRouteEntries: ['/probe'],
      apis: apis as any,
    });
    expect(await screen.findByText('store at /templates')).toBeInTheDocument();
    withStore.unmount();

    renderTestApp({
      features: [pipelinesPlugin],
      extensions: [probe],
      initialRouteEntries: ['/probe'],
      apis: apis as any,
    });
    expect(await screen.findByText('store at nowhere')).toBeInTheDocument();
  });
});
