import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { CoreV1Api } from '@kubernetes/client-node';
import {
  PortalTestCluster,
  startPortalTestCluster,
  waitFor,
} from '../testUtils';
import { ResourceCache, WatchedResource } from '../watch';
import {
  KubernetesAccessService,
  kubernetesAccessServiceRef,
} from './kubernetesAccessServiceRef';

jest.setTimeout(120_000);

const CONFIG_MAPS: WatchedResource = {
  group: '',
  version: 'v1',
  plural: 'configmaps',
  kind: 'ConfigMap',
};

/** What a test plugin got from the shared service in its init. */
interface Seen {
  access: KubernetesAccessService;
  cache: ResourceCache;
}

/** A plugin that watches ConfigMaps on the cluster `dev`, as a Cairn backend would. */
function configMapPlugin(pluginId: string, seen: Map<string, Seen>) {
  return createBackendPlugin({
    pluginId,
    register(env) {
      env.registerInit({
        deps: { kubernetes: kubernetesAccessServiceRef },
        async init({ kubernetes }) {
          seen.set(pluginId, {
            access: kubernetes,
            cache: kubernetes.watches.cache('dev', CONFIG_MAPS),
          });
        },
      });
    },
  });
}

describe('kubernetesAccessServiceRef', () => {
  let tc: PortalTestCluster;

  beforeAll(async () => {
    tc = await startPortalTestCluster({ namespaces: ['team-a'] });
  });

  afterAll(async () => {
    await tc?.stop();
  });

  it('gives two plugins of one backend the same clusters and the same watch of a kind, started with the backend', async () => {
    const seen = new Map<string, Seen>();
    const backend = await startTestBackend({
      features: [
        configMapPlugin('first', seen),
        configMapPlugin('second', seen),
        mockServices.rootConfig.factory({
          data: { kubernetes: tc.kubernetesConfig as any },
        }),
      ],
    });
    try {
      const first = seen.get('first')!;
      const second = seen.get('second')!;
      expect(second.access.clusters).toBe(first.access.clusters);
      expect(second.access.watches).toBe(first.access.watches);
      expect(second.cache).toBe(first.cache);
      expect(first.access.watches.clusterNames()).toEqual(['dev']);

      // Neither plugin started it: the backend did.
      expect(await first.cache.waitForSync(30_000)).toBe(true);
      await tc.admin.makeApiClient(CoreV1Api).createNamespacedConfigMap({
        namespace: 'team-a',
        body: { metadata: { name: 'settings' }, data: { colour: 'blue' } },
      });
      await waitFor(
        () => second.cache.get('team-a', 'settings'),
        Boolean,
        'the ConfigMap in the shared cache',
      );
      expect(first.cache.relists).toBe(1);
      expect(first.access.watches.staleness('dev')).toBeUndefined();
    } finally {
      await backend.stop();
    }
  });

  it('refuses a second transform for a shared kind, which would change what the other plugin reads', async () => {
    const seen = new Map<string, Seen>();
    const backend = await startTestBackend({
      features: [
        configMapPlugin('first', seen),
        mockServices.rootConfig.factory({
          data: { kubernetes: tc.kubernetesConfig as any },
        }),
      ],
    });
    try {
      const { watches } = seen.get('first')!.access;
      expect(() =>
        watches.cache('dev', {
          ...CONFIG_MAPS,
          transform: object => ({ metadata: object.metadata }),
        }),
      ).toThrow(
        'configmaps on cluster "dev" are already watched with another transform',
      );
    } finally {
      await backend.stop();
    }
  });
});
