/*
 * The webhooks benchmark's backend, in a process of its own: the pipelines
 * backend behind the events backend's HTTP ingress (GitHub's webhook module
 * checking X-Hub-Signature-256, Cairn's acknowledged ingress), on
 * PostgreSQL, against the benchmark's dev cluster.
 *
 *   CAIRN_WEBHOOKS_BENCH_BACKEND='<json settings>' \
 *     node --require <nodeTransform.cjs> bench/webhooksBackend.ts
 *
 * Prints one JSON line `{"ready":true,...}` once it serves; answers
 * `{"type":"memory"}`; stops when the IPC channel closes.
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import eventsPlugin from '@backstage/plugin-events-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import httpIngress from '@cairn/plugin-events-backend-module-http-ingress';
import {
  announceReady,
  replyWithMemory,
  runChildMain,
  stopWithParent,
} from '@cairn/bench-support';
import { devClusterKubernetesConfig } from './kubernetesConfig';
import { githubEventsModules } from '../src/__testUtils__/eventsModules';
import { pipelinesPlugin } from '../src/plugin';
import { BENCH_ENTITY } from './logsBackend';

export interface WebhooksBackendSettings {
  clusterUrl: string;
  serviceAccountToken: string;
  caData: string;
  postgresUrl: string;
  databasePrefix: string;
  githubSecret: string;
}

export interface WebhooksBackendReady {
  ready: true;
  pid: number;
  port: number;
}

async function main(): Promise<void> {
  const settings = JSON.parse(
    process.env.CAIRN_WEBHOOKS_BENCH_BACKEND ?? '',
  ) as WebhooksBackendSettings;
  const backend = await startTestBackend({
    features: [
      pipelinesPlugin,
      catalogServiceMock.factory({ entities: [BENCH_ENTITY] }),
      databaseServiceFactory,
      eventsPlugin,
      ...githubEventsModules(),
      httpIngress,
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
          events: {
            useEventBus: 'never',
            modules: { github: { webhookSecret: settings.githubSecret } },
          },
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
  process.on('message', (message: { type?: string; id?: number }) => {
    if (message?.type === 'memory') replyWithMemory(message.id ?? 0, false);
  });
  const { port } = backend.server.address() as { port: number };
  const ready: WebhooksBackendReady = { ready: true, pid: process.pid, port };
  announceReady(ready);
}

// Only when run as the child process, not when the benchmark imports its types.
if (require.main === module) runChildMain('webhooks bench backend', main);
