import { createServer, request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';
import authPlugin from '@backstage/plugin-auth-backend';
import guestProviderModule from '@backstage/plugin-auth-backend-module-guest-provider';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import demoOpsProviderModule from '@cairn/plugin-auth-backend-module-demo-ops-provider';
import { cairnRootHttpRouterServiceFactory } from './rootHttpRouter';

jest.setTimeout(60_000);

/** An address of this machine that is not loopback, as another host would reach it. */
function networkAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find(i => i && i.family === 'IPv4' && !i.internal)?.address;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise(resolve => server.close(resolve));
  return port;
}

/** GET from a given local address, so the backend sees that peer. */
function get(
  host: string,
  port: number,
  path: string,
  localAddress: string,
): Promise<{ status: number; body: string; type?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host,
        port,
        path,
        localAddress,
        headers: { 'x-forwarded-for': '127.0.0.1' },
      },
      res => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', chunk => (body += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body,
            type: res.headers['content-type'],
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const started: ReturnType<typeof createBackend>[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map(backend => backend.stop()));
});

const alice = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name: 'alice', namespace: 'default' },
  spec: { memberOf: ['ops'] },
  relations: [{ type: 'memberOf', targetRef: 'group:default/ops' }],
};

/**
 * The portal's backend as packages/backend builds it, with the auth plugin
 * only (and a catalog that knows the demo ops user).
 */
async function startPortal(
  listen: { host: string; port: number },
  extra: object = {},
) {
  const backend = createBackend();
  backend.add(cairnRootHttpRouterServiceFactory);
  backend.add(authPlugin);
  backend.add(guestProviderModule);
  backend.add(demoOpsProviderModule);
  backend.add(catalogServiceMock.factory({ entities: [alice] }));
  backend.add(
    mockServices.rootConfig.factory({
      data: {
        app: { baseUrl: 'http://localhost:3000' },
        backend: {
          baseUrl: `http://127.0.0.1:${listen.port}`,
          listen,
          database: { client: 'better-sqlite3', connection: ':memory:' },
        },
        auth: {
          providers: {
            guest: {
              userEntityRef: 'user:default/guest',
              dangerouslyAllowOutsideDevelopment: true,
            },
            demoOps: {
              userEntityRef: 'user:default/alice',
              dangerouslyAllowOutsideDevelopment: true,
            },
          },
        },
        ...extra,
      },
    }),
  );
  started.push(backend);
  await backend.start();
}

describe('the portal backend with guest and demo ops sign-in', () => {
  const address = networkAddress();

  it('refuses to start when guest or demo ops sign-in would listen on every interface', async () => {
    await expect(
      startPortal({ host: '0.0.0.0', port: await freePort() }),
    ).rejects.toThrow(
      /Refusing to start: sign-in without credentials \(auth\.providers\.guest, auth\.providers\.demoOps\) .* every network interface/,
    );
  });

  it('signs a guest and the demo ops user in from this machine and refuses them from another machine', async () => {
    if (!address) {
      // Every CI machine has a network interface; say what is missing elsewhere.
      if (process.env.CI)
        throw new Error('this machine has no non-loopback IPv4 address');
      console.warn('skipped: this machine has no non-loopback IPv4 address');
      return;
    }
    const port = await freePort();
    await startPortal(
      { host: '0.0.0.0', port },
      {
        cairn: {
          security: { dangerouslyListenOnNetworkWithGuestSignIn: true },
        },
      },
    );

    const local = await get(
      '127.0.0.1',
      port,
      '/api/auth/guest/refresh',
      '127.0.0.1',
    );
    expect(local.status).toBe(200);
    expect(
      JSON.parse(local.body).backstageIdentity.identity.userEntityRef,
    ).toBe('user:default/guest');

    // The forged X-Forwarded-For header (sent on every request here) changes nothing.
    const remote = await get(address, port, '/api/auth/guest/refresh', address);
    expect(remote.status).toBe(403);
    expect(JSON.parse(remote.body).error).toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining(
        `Guest sign-in is only possible from this machine (loopback); this request came from ${address}`,
      ),
    });
    const remoteStart = await get(
      address,
      port,
      '/api/auth/guest/start',
      address,
    );
    expect(remoteStart.status).toBe(403);
    const ops = await get(
      '127.0.0.1',
      port,
      '/api/auth/demoOps/refresh',
      '127.0.0.1',
    );
    expect(ops.status).toBe(200);
    expect(JSON.parse(ops.body).backstageIdentity.identity).toMatchObject({
      userEntityRef: 'user:default/alice',
      ownershipEntityRefs: expect.arrayContaining(['group:default/ops']),
    });
    const remoteOps = await get(
      address,
      port,
      '/api/auth/demoOps/refresh',
      address,
    );
    expect(remoteOps.status).toBe(403);
    expect(JSON.parse(remoteOps.body).error).toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining(
        `Ops demo sign-in (auth.providers.demoOps) is only possible from this machine (loopback); this request came from ${address}`,
      ),
    });
    expect(remoteOps.body).not.toContain('backstageIdentity');
  });

  it('answers an unknown API route with a JSON Not Found body, without a stack', async () => {
    const port = await freePort();
    await startPortal({ host: '127.0.0.1', port });
    for (const path of ['/api/auth/no-such-route', '/api/no-such-plugin/x']) {
      const res = await get('127.0.0.1', port, path, '127.0.0.1');
      expect(res.status).toBe(404);
      expect(res.type).toMatch(/application\/json/);
      const body = JSON.parse(res.body);
      expect(body.error.name).toBe('NotFoundError');
      expect(body.error.stack).toBeUndefined();
      expect(res.body).not.toMatch(/\.ts:|node_modules/);
    }
    const unknownPlugin = await get(
      '127.0.0.1',
      port,
      '/api/nothing/x',
      '127.0.0.1',
    );
    expect(JSON.parse(unknownPlugin.body).error.message).toBe(
      'No route GET /api/nothing/x',
    );
  });
});
