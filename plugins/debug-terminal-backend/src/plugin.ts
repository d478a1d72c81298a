import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { debugTerminalPermissions } from '@cairn/plugin-debug-terminal-common';
import { kubernetesAccessServiceRef } from '@cairn/plugin-kubernetes-node';
import { RecordingStore } from './database/RecordingStore';
import { AuthorizedDebugSessionsService } from './service/AuthorizedDebugSessionsService';
import { DebugSessionsService } from './service/DebugSessionsService';
import { createRouter } from './service/router';
import { readDebugTerminalSettings } from './service/settings';
import { TerminalSockets } from './service/TerminalSockets';

/**
 * Cairn's debug terminal backend: DebugSessions of catalog entities, the
 * terminal sockets into their pods (attach to a session's toolkit container,
 * or a plain shell), audited and recorded for ops to replay.
 * @public
 */
export const debugTerminalPlugin = createBackendPlugin({
  pluginId: 'debug-terminal',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        lifecycle: coreServices.lifecycle,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        catalog: catalogServiceRef,
        kubernetes: kubernetesAccessServiceRef,
      },
      async init({
        config,
        logger,
        httpRouter,
        httpAuth,
        auth,
        permissions,
        permissionsRegistry,
        auditor,
        lifecycle,
        database,
        scheduler,
        catalog,
        kubernetes,
      }) {
        permissionsRegistry.addPermissions(debugTerminalPermissions);
        const settings = readDebugTerminalSettings(config);
        const recordings = await RecordingStore.create(database);
        const service = new DebugSessionsService(
          kubernetes.clusters,
          settings,
          kubernetes.watches,
        );
        service.watchPods();
        const sessions = new AuthorizedDebugSessionsService(service, {
          catalog,
          permissions,
          auditor,
        });
        new TerminalSockets({
          sessions,
          auth,
          clusters: kubernetes.clusters,
          recordings,
          auditor,
          logger,
          settings,
        }).register(httpRouter, lifecycle);
        httpRouter.use(
          await createRouter({ sessions, recordings, httpAuth, permissions }),
        );
        await scheduler.scheduleTask({
          id: 'debug-terminal-recording-retention',
          frequency: { hours: 6 },
          timeout: { minutes: 5 },
          fn: async () => {
            const before = new Date(
              Date.now() - settings.recordingRetentionDays * 86_400_000,
            );
            const deleted = await recordings.deleteStartedBefore(before);
            if (deleted)
              logger.info(
                `deleted ${deleted} terminal recordings older than ${settings.recordingRetentionDays} days`,
              );
          },
        });
      },
    });
  },
});
