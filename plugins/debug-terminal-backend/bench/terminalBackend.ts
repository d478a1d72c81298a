/*
 * The debug terminal backend as the terminal benchmark's child process, so
 * that its resident memory is measured apart from the dev cluster and the
 * benchmark's terminal clients:
 *
 *   node --expose-gc --require <nodeTransform.cjs> bench/terminalBackend.ts
 *
 * Reads its settings as JSON from CAIRN_TERMINAL_BENCH_BACKEND (the
 * `kubernetes:` config, PostgreSQL URL and database prefix, the terminals a
 * user may open), starts Backstage's own backend (createBackend: the test
 * backend takes no WebSocket routes) as the plugin's tests do — mock
 * sign-in tokens, every permission asked for and allowed, recordings in
 * PostgreSQL — prints `{"ready":true,"pid":…,"port":…}`,
 * answers `{"type":"memory","gc":true|false}` and stops with its parent.
 */
import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  announceReady,
  freePort,
  replyWithMemory,
  runChildMain,
  stopWithParent,
} from '@cairn/bench-support';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { component } from '@cairn/plugin-kubernetes-node/testUtils';
import { debugTerminalPlugin } from '../src/plugin';

export interface TerminalBackendSettings {
  kubernetesConfig: object;
  postgresUrl: string;
  databasePrefix: string;
  maxSessionsPerUser: number;
}

export interface TerminalBackendReady {
  ready: true;
  pid: number;
  port: number;
}

/** The user who owns the entity and types in its shells. */
export const BENCH_USER = 'user:default/ann';
export const BENCH_ENTITY_REF = 'component:default/web';

async function main(): Promise<void> {
  const settings = JSON.parse(
    process.env.CAIRN_TERMINAL_BENCH_BACKEND ?? '',
  ) as TerminalBackendSettings;
  const port = await freePort();
  const backend = createBackend();
  for (const feature of [
    mockServices.auth.factory(),
    mockServices.httpAuth.factory(),
    mockServices.rootLogger.factory({ level: 'warn' }),
    debugTerminalPlugin,
    catalogServiceMock.factory({
      entities: [
        component('web', { 'backstage.io/kubernetes-id': 'web' }, 'team-a'),
      ],
    }),
    // Every decision asked for and allowed (the policy's work is not what
    // is measured; permissionPolicy of the tests needs jest).
    mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
    mockServices.rootConfig.factory({
      data: {
        kubernetes: settings.kubernetesConfig as any,
        backend: {
          baseUrl: `http://localhost:${port}`,
          listen: { host: '127.0.0.1', port },
          database: {
            client: 'pg',
            connection: settings.postgresUrl,
            prefix: settings.databasePrefix,
          },
        },
        debugTerminal: { maxSessionsPerUser: settings.maxSessionsPerUser },
      },
    }),
  ]) {
    backend.add(feature);
  }
  await backend.start();
  stopWithParent(() => backend.stop());
  process.on(
    'message',
    (message: { type?: string; id?: number; gc?: boolean }) => {
      if (message?.type === 'memory') {
        replyWithMemory(message.id ?? 0, message.gc !== false);
      }
    },
  );
  const ready: TerminalBackendReady = { ready: true, pid: process.pid, port };
  announceReady(ready);
}

// Only when run as the child process, not when the benchmark imports its types.
if (require.main === module) runChildMain('terminal bench backend', main);
