import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import authPlugin from '@backstage/plugin-auth-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { ConfigReader } from '@backstage/config';
import request from 'supertest';
import { demoOpsAuthenticator } from './authenticator';
import authModuleDemoOpsProvider from '.';

jest.setTimeout(30_000);

const alice = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name: 'alice', namespace: 'default' },
  spec: {
    profile: { displayName: 'Alice Ops', email: 'alice@acme.example' },
    memberOf: ['ops'],
  },
  relations: [{ type: 'memberOf', targetRef: 'group:default/ops' }],
};

async function startAuth(demoOps: object | undefined) {
  const { server } = await startTestBackend({
    features: [
      authPlugin,
      authModuleDemoOpsProvider,
      catalogServiceMock.factory({ entities: [alice] }),
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:3000' },
          auth: { providers: demoOps ? { demoOps } : {} },
        },
      }),
    ],
  });
  return server;
}

// Jest runs with NODE_ENV=test, which counts as outside development.
const configured = {
  userEntityRef: 'user:default/alice',
  dangerouslyAllowOutsideDevelopment: true,
};

describe('the demoOps sign-in provider', () => {
  it('signs in the configured catalog user, with their groups and profile, from this machine', async () => {
    const server = await startAuth(configured);
    const res = await request(server).get('/api/auth/demoOps/refresh');
    expect(res.status).toBe(200);
    expect(res.body.backstageIdentity.identity).toEqual({
      type: 'user',
      userEntityRef: 'user:default/alice',
      ownershipEntityRefs: expect.arrayContaining(['group:default/ops']),
    });
    expect(res.body.backstageIdentity.token).toEqual(expect.any(String));
    expect(res.body.profile).toEqual({
      displayName: 'Alice Ops',
      email: 'alice@acme.example',
    });
  });

  it('refuses a user the catalog does not know, naming the setting', async () => {
    const server = await startAuth({
      ...configured,
      userEntityRef: 'user:default/nobody',
    });
    const res = await request(server).get('/api/auth/demoOps/refresh');
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe(
      'auth.providers.demoOps.userEntityRef names user:default/nobody, who is not in the catalog',
    );
  });

  it('refuses outside a development backend unless the setting accepts the risk', async () => {
    const server = await startAuth({ userEntityRef: 'user:default/alice' });
    const res = await request(server).get('/api/auth/demoOps/refresh');
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(
      /^Ops demo sign-in is only for a development backend/,
    );
    expect(res.body.backstageIdentity).toBeUndefined();
  });

  it('is not served when not configured', async () => {
    const server = await startAuth(undefined);
    const res = await request(server).get('/api/auth/demoOps/refresh');
    expect(res.status).toBe(404);
    expect(res.body.backstageIdentity).toBeUndefined();
  });
});

describe('demoOpsAuthenticator', () => {
  const context = demoOpsAuthenticator.initialize({
    config: new ConfigReader(configured),
  });
  const fromPeer = (remoteAddress: string | undefined) =>
    demoOpsAuthenticator.authenticate(
      {
        req: { socket: { remoteAddress } } as Parameters<
          typeof demoOpsAuthenticator.authenticate
        >[0]['req'],
      },
      context,
    );

  it('accepts a peer on loopback', async () => {
    await expect(fromPeer('::ffff:127.0.0.1')).resolves.toEqual({
      result: { userEntityRef: 'user:default/alice' },
    });
  });

  it('refuses a peer on another machine with 403 and the way out', async () => {
    await expect(fromPeer('192.0.2.2')).rejects.toMatchObject({
      name: 'NotAllowedError',
      message:
        'Ops demo sign-in (auth.providers.demoOps) is only possible from this machine (loopback); ' +
        'this request came from 192.0.2.2. Sign in with a real provider (see the README, "Signing in").',
    });
    await expect(fromPeer(undefined)).rejects.toMatchObject({
      name: 'NotAllowedError',
    });
  });

  it('reads a short user reference as a User in the default namespace', () => {
    expect(
      demoOpsAuthenticator.initialize({
        config: new ConfigReader({ userEntityRef: 'alice' }),
      }).userEntityRef,
    ).toBe('user:default/alice');
  });
});
