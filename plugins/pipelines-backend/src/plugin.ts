import {
  EntityAuthorizer,
  kubernetesAccessServiceRef,
} from '@cairn/plugin-kubernetes-node';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import {
  pipelinesPermissions,
  pipelinesWebhookManagePermission,
} from '@cairn/plugin-pipelines-common';
import { readLogsConfig } from './logs/config';
import { DatabaseLogStore } from './logs/LogStore';
import { StepLogArchiver } from './logs/StepLogArchiver';
import { StepLogService } from './logs/StepLogService';
import { AuthorizedPipelineDefinitionsService } from './service/AuthorizedPipelineDefinitionsService';
import { AuthorizedPipelineRunsService } from './service/AuthorizedPipelineRunsService';
import { AuthorizedStepLogService } from './service/AuthorizedStepLogService';
import { createRouter } from './service/router';
import { PipelineRunsService } from './service/PipelineRunsService';
import { PipelineDefinitionsService } from './service/PipelineDefinitionsService';
import { RunEvents } from './service/RunEvents';
import { ServiceAccountAllowList } from './service/serviceAccounts';
import { WorkspaceAllowList } from './service/workspaceBindings';
import { TektonWatches } from './watch';
import {
  AuthorizedWebhookDeliveries,
  DeliveryChanges,
  DeliveryStore,
  readWebhooksConfig,
  TriggeredRuns,
  WEBHOOK_TOPICS,
  WebhookDeliveries,
} from './webhooks';

/**
 * Cairn's Pipelines backend: Tekton runs of catalog entities, from one
 * shared watch per kind per cluster of the `kubernetes:` config.
 * @public
 */
export const pipelinesPlugin = createBackendPlugin({
  pluginId: 'pipelines',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        lifecycle: coreServices.lifecycle,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        catalog: catalogServiceRef,
        events: eventsServiceRef,
        signals: signalsServiceRef,
        kubernetes: kubernetesAccessServiceRef,
      },
      async init({
        config,
        logger,
        httpRouter,
        httpAuth,
        permissions,
        permissionsRegistry,
        auditor,
        lifecycle,
        database,
        scheduler,
        catalog,
        events: eventsService,
        signals,
        kubernetes,
      }) {
        permissionsRegistry.addPermissions([
          ...pipelinesPermissions,
          pipelinesWebhookManagePermission,
        ]);
        const serviceAccounts = ServiceAccountAllowList.fromConfig(config);
        const workspaces = WorkspaceAllowList.fromConfig(config);
        // The backend's shared clusters and watches: they stop with it.
        const { clusters } = kubernetes;
        const watches = new TektonWatches({ watches: kubernetes.watches });
        const store = await DatabaseLogStore.create(database);
        const logsConfig = readLogsConfig(config);
        const archiver = new StepLogArchiver({
          clusters,
          watches,
          store,
          logger,
          maxStepBytes: logsConfig.maxStepBytes,
        });
        const logs = new StepLogService({
          clusters,
          watches,
          store,
          archiver,
          retentionDays: logsConfig.retentionDays,
        });
        // The archiver follows the watches from their first list; watches
        // start now and keep retrying an unreachable cluster, so the portal
        // starts even while a cluster is down.
        const events = new RunEvents({ watches });
        archiver.start();
        events.start();
        watches.start();
        // Git webhooks: deliveries are stored as the events backend receives
        // them; those a stop left unprocessed are processed at startup.
        const deliveryStore = await DeliveryStore.create(database);
        const deliveryChanges = new DeliveryChanges({ signals, logger });
        const deliveries = new WebhookDeliveries({
          store: deliveryStore,
          watches,
          runs: new TriggeredRuns({ clusters }),
          config,
          logger,
          changes: deliveryChanges,
        });
        await eventsService.subscribe({
          id: 'pipelines-webhooks',
          topics: [...WEBHOOK_TOPICS],
          onEvent: event => deliveries.receive(event),
        });
        lifecycle.addStartupHook(() => {
          deliveries
            .processPending()
            .catch(error =>
              logger.error(
                `unprocessed webhook deliveries could not be processed: ${error}`,
              ),
            );
        });
        lifecycle.addShutdownHook(async () => {
          events.stop();
          await deliveries.idle();
          deliveryChanges.stop();
          await archiver.stop();
        });

        const { retentionDays } = logsConfig;
        await scheduler.scheduleTask({
          id: 'pipelines-log-retention',
          frequency: { hours: 1 },
          timeout: { minutes: 10 },
          scope: 'global',
          fn: async () => {
            const cutoff = new Date(Date.now() - retentionDays * 86_400_000);
            const deleted = await store.expireBefore(cutoff);
            if (deleted) {
              logger.info(
                `deleted the archived logs of ${deleted} pipeline run(s) older than ${retentionDays} days`,
              );
            }
          },
        });
        const webhookRetentionDays = readWebhooksConfig(config).retentionDays;
        await scheduler.scheduleTask({
          id: 'pipelines-webhook-delivery-retention',
          frequency: { hours: 1 },
          timeout: { minutes: 10 },
          scope: 'global',
          fn: async () => {
            const deleted = await deliveryStore.expireBefore(
              new Date(Date.now() - webhookRetentionDays * 86_400_000),
            );
            if (deleted) {
              logger.info(
                `deleted ${deleted} webhook deliveries older than ${webhookRetentionDays} days`,
              );
            }
          },
        });
        logger.info(
          `watching Tekton objects on ${
            clusters.list().length
          } cluster(s): ${clusters
            .list()
            .map(c => c.name)
            .join(', ')}`,
        );
        // Every entry point calls the services behind the permissions.
        const authorizer = new EntityAuthorizer({
          catalog,
          permissions,
          auditor,
          objects: 'pipeline runs',
        });
        const runs = new AuthorizedPipelineRunsService(
          new PipelineRunsService({
            clusters,
            watches,
            serviceAccounts,
            workspaces,
          }),
          { authorizer, catalog, permissions },
        );
        httpRouter.use(
          await createRouter({
            runs,
            definitions: new AuthorizedPipelineDefinitionsService(
              new PipelineDefinitionsService({ clusters, watches }),
              authorizer,
            ),
            logs: new AuthorizedStepLogService(logs, runs),
            events,
            webhooks: new AuthorizedWebhookDeliveries({
              deliveries,
              store: deliveryStore,
              catalog,
              permissions,
              auditor,
            }),
            onShutdown: hook => lifecycle.addShutdownHook(hook),
            httpAuth,
            logger,
          }),
        );
      },
    });
  },
});
