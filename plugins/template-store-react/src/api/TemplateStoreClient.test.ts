import { TemplateStoreClient } from './TemplateStoreClient';

describe('TemplateStoreClient', () => {
  const calls: Array<{ url: string; init?: RequestInit }> = [];
  const client = new TemplateStoreClient({
    discoveryApi: {
      getBaseUrl: async () => 'http://backend/api/template-store',
    },
    fetchApi: {
      fetch: (async (url: string, init?: RequestInit) => {
        calls.push({ url, init });
        return new Response(JSON.stringify({ ok: true }), {
          status: 200,
          headers: { 'Content-Type': 'application/json' },
        });
      }) as any,
    },
  });

  beforeEach(() => calls.splice(0));

  it('installs a version with the request as JSON', async () => {
    await client.install('Task', 'git-clone', '0.9', {
      entityRef: 'component:default/shop',
      cluster: 'dev',
      namespace: 'shop',
      dryRun: true,
    });
    expect(calls[0].url).toBe(
      'http://backend/api/template-store/templates/Task/git-clone/versions/0.9/installs',
    );
    expect(calls[0].init?.method).toBe('POST');
    expect(JSON.parse(String(calls[0].init?.body))).toEqual({
      entityRef: 'component:default/shop',
      cluster: 'dev',
      namespace: 'shop',
      dryRun: true,
    });
  });

  it('names a cluster object and the entity in the URL', async () => {
    await client.clusterTemplate('component:default/shop', {
      cluster: 'dev',
      namespace: 'shop',
      kind: 'Pipeline',
      name: 'build',
    });
    await client.installTargets('component:default/shop');
    await client.listUsage('Task', 'git-clone');
    expect(calls.map(c => c.url)).toEqual([
      'http://backend/api/template-store/cluster-templates/dev/shop/Pipeline/build?entityRef=component%3Adefault%2Fshop',
      'http://backend/api/template-store/install-targets?entityRef=component%3Adefault%2Fshop',
      'http://backend/api/template-store/templates/Task/git-clone/usage',
    ]);
  });
});
