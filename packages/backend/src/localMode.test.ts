import { resolve as resolvePath } from 'node:path';
import { ConfigReader } from '@backstage/config';
import { JsonValue } from '@backstage/types';
import { loadConfig } from '@backstage/config-loader';
import {
  assertCredentialFreeSignInStaysLocal,
  credentialFreeSignInProviders,
} from './localMode';

const root = resolvePath(__dirname, '../../..');

describe('assertCredentialFreeSignInStaysLocal', () => {
  const guest = { auth: { providers: { guest: {} } } };
  const withListen = (listen: unknown, extra: object = {}) =>
    new ConfigReader({
      ...guest,
      backend: { listen: listen as JsonValue },
      ...extra,
    });

  it('accepts guest sign-in on a loopback address', () => {
    for (const listen of [
      { host: '127.0.0.1', port: 7007 },
      { host: 'localhost', port: 7007 },
      { host: '::1', port: 7007 },
      '127.0.0.1:7007',
    ]) {
      expect(() =>
        assertCredentialFreeSignInStaysLocal(withListen(listen)),
      ).not.toThrow();
    }
  });

  it('refuses guest sign-in on every interface or a network address, naming the fix', () => {
    for (const listen of [
      { host: '0.0.0.0', port: 7007 },
      { port: 7007 },
      ':7007',
      '7007',
      { host: '192.0.2.2', port: 7007 },
    ]) {
      expect(() =>
        assertCredentialFreeSignInStaysLocal(withListen(listen)),
      ).toThrow(
        /sign-in without credentials \(auth\.providers\.guest\) .* backend\.listen .*cairn\.security\.dangerouslyListenOnNetworkWithGuestSignIn/s,
      );
    }
  });

  it('refuses the demo ops sign-in beyond loopback as it does guest', () => {
    const config = new ConfigReader({
      auth: { providers: { demoOps: { userEntityRef: 'user:default/alice' } } },
      backend: { listen: { host: '0.0.0.0', port: 7007 } },
    });
    expect(() => assertCredentialFreeSignInStaysLocal(config)).toThrow(
      /sign-in without credentials \(auth\.providers\.demoOps\) is on .* every network interface/s,
    );
  });

  it('lets the named setting accept the risk', () => {
    const config = withListen(
      { host: '0.0.0.0', port: 7007 },
      {
        cairn: {
          security: { dangerouslyListenOnNetworkWithGuestSignIn: true },
        },
      },
    );
    expect(() => assertCredentialFreeSignInStaysLocal(config)).not.toThrow();
  });

  it('has nothing to say without guest sign-in', () => {
    const config = new ConfigReader({ backend: { listen: ':7007' } });
    expect(() => assertCredentialFreeSignInStaysLocal(config)).not.toThrow();
  });
});

describe('the shipped configuration', () => {
  async function load(...files: string[]) {
    const { appConfigs } = await loadConfig({
      configRoot: root,
      configTargets: files.map(path => ({ path: resolvePath(root, path) })),
      // The production file's ${VARIABLES} need values to load.
      experimentalEnvFunc: async () => 'x',
    });
    return ConfigReader.fromConfigs(appConfigs);
  }

  it('runs the local portal with guest and demo ops sign-in on loopback only', async () => {
    const config = await load('app-config.yaml');
    expect(credentialFreeSignInProviders(config)).toEqual(['guest', 'demoOps']);
    expect(config.getString('auth.providers.demoOps.userEntityRef')).toBe(
      'user:default/alice',
    );
    expect(config.getStringArray('cairn.signIn.providers')).toEqual([
      'guest',
      'demoOps',
    ]);
    expect(config.getString('backend.listen.host')).toBe('127.0.0.1');
    expect(new URL(config.getString('app.baseUrl')).hostname).toBe('localhost');
    expect(() => assertCredentialFreeSignInStaysLocal(config)).not.toThrow();
  });

  it('keeps the local database on disk in the git-ignored state folder', async () => {
    const config = await load('app-config.yaml');
    expect(config.getString('backend.database.client')).toBe('better-sqlite3');
    expect(config.getString('backend.database.connection.directory')).toBe(
      '../../.cairn-state/database',
    );
  });

  it('has no guest or demo ops sign-in in production, layered on the local file as documented', async () => {
    const config = await load('app-config.yaml', 'app-config.production.yaml');
    expect(credentialFreeSignInProviders(config)).toEqual([]);
    expect(config.getStringArray('cairn.signIn.providers')).toEqual(['github']);
    expect(() => assertCredentialFreeSignInStaysLocal(config)).not.toThrow();
  });
});
