/*
 * The pipelines backend as the log benchmark's child process, so that its
 * memory is measured apart from the readers and the cluster:
 *
 *   node --expose-gc --require <nodeTransform.cjs> bench/logsBackend.ts
 *
 * Reads its settings as JSON from CAIRN_LOGS_BENCH_BACKEND (cluster URL,
 * service account token and CA, PostgreSQL URL and database prefix, the
 * per-step cap), starts the plugin in a test backend (mock sign-in and
 * permissions: the benchmark measures the logs, not the auth) on
 * PostgreSQL, prints `{"ready":true,"pid":…,"port":…}`, answers
 * `{"type":"memory","gc":true|false}` (false: without a GC first) and stops with its parent.
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  announceReady,
  replyWithMemory,
  runChildMain,
  stopWithParent,
} from '@cairn/bench-support';
import { devClusterKubernetesConfig } from './kubernetesConfig';
import { pipelinesPlugin } from '../src/plugin';

export interface LogsBackendSettings {
  clusterUrl: string;
  serviceAccountToken: string;
  caData: string;
  postgresUrl: string;
  databasePrefix: string;
  maxStepBytes: number;
}

export interface LogsBackendReady {
  ready: true;
  pid: number;
  port: number;
}

/** The catalog entity whose runs the benchmark reads. */
export const BENCH_ENTITY = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'shop',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-id': 'shop',
      'cairn.dev/pipelines': 'true',
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
};

async function main(): Promise<void> {
  const settings = JSON.parse(
    process.env.CAIRN_LOGS_BENCH_BACKEND ?? '',
  ) as LogsBackendSettings;
  const backend = await startTestBackend({
    features: [
      pipelinesPlugin,
      catalogServiceMock.factory({ entities: [BENCH_ENTITY] }),
      databaseServiceFactory,
      mockServices.rootLogger.factory({ level: 'warn' }),
      mockServices.rootConfig.factory({
        data: {
          backend: {
            baseUrl: 'http://localhost:7007',
            database: {
              client: 'pg',
              connection: settings.postgresUrl,
              prefix: settings.databasePrefix,
            },
          },
          pipelines: { logs: { maxStepBytes: settings.maxStepBytes } },
          kubernetes: devClusterKubernetesConfig({
            url: settings.clusterUrl,
            serviceAccountToken: settings.serviceAccountToken,
            caData: settings.caData,
          }),
        },
      }),
    ],
  });
  stopWithParent(() => backend.stop());
  process.on(
    'message',
    (message: { type?: string; id?: number; gc?: boolean }) => {
      if (message?.type === 'memory') {
        replyWithMemory(message.id ?? 0, message.gc !== false);
      }
    },
  );
  const { port } = backend.server.address() as { port: number };
  const ready: LogsBackendReady = { ready: true, pid: process.pid, port };
  announceReady(ready);
}

// Only when run as the child process, not when the benchmark imports its types.
if (require.main === module) runChildMain('logs bench backend', main);
