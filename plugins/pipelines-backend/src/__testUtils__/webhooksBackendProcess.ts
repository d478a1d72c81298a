/*
 * The pipelines backend behind the events backend's webhook ingress, as a
 * process of its own, so that a test can kill it with SIGKILL right after it
 * answered a delivery (webhooks/killAfterAccept.test.ts).
 *
 *   node --require <nodeTransform.cjs> webhooksBackendProcess.ts '<json>'
 *
 * The JSON argument: `kubernetes` (the backend's kubernetes config),
 * `databaseDir` (SQLite files that outlive the process) and `githubSecret`.
 * Prints one line `{"port":N}` on stdout once it serves. Signed-in calls
 * take the test backend's mock user tokens; every permission is allowed.
 */
import { AddressInfo } from 'node:net';
import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import eventsPlugin from '@backstage/plugin-events-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import httpIngress from '@cairn/plugin-events-backend-module-http-ingress';
import { component } from '@cairn/plugin-kubernetes-node/testUtils';
import { pipelinesPlugin } from '../plugin';
import { githubEventsModules } from './eventsModules';

export interface WebhooksBackendOptions {
  kubernetes: object;
  databaseDir: string;
  githubSecret: string;
}

async function main() {
  const options = JSON.parse(process.argv[2]) as WebhooksBackendOptions;
  const backend = await startTestBackend({
    features: [
      pipelinesPlugin,
      catalogServiceMock.factory({
        entities: [
          component('shop', {
            'cairn.dev/pipelines': 'true',
            'backstage.io/kubernetes-id': 'shop',
          }),
        ],
      }),
      databaseServiceFactory,
      eventsPlugin,
      ...githubEventsModules(),
      httpIngress,
      mockServices.rootConfig.factory({
        data: {
          kubernetes: options.kubernetes as any,
          backend: {
            database: {
              client: 'better-sqlite3',
              connection: { directory: options.databaseDir },
            },
          },
          events: {
            useEventBus: 'never',
            modules: { github: { webhookSecret: options.githubSecret } },
          },
        },
      }),
    ],
  });
  const { port } = backend.server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
}

main().catch(error => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
