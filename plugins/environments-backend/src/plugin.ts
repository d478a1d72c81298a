import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { DEFAULT_TOPOLOGY_LABELS } from '@cairn/operators-api';
import { environmentsPermissions } from '@cairn/plugin-environments-common';
import { kubernetesAccessServiceRef } from '@cairn/plugin-kubernetes-node';
import { RequestStore } from './database/RequestStore';
import { AuthorizedEnvironmentRequestsService } from './service/AuthorizedEnvironmentRequestsService';
import { AuthorizedEnvironmentsService } from './service/AuthorizedEnvironmentsService';
import { EnvironmentRequestsService } from './service/EnvironmentRequestsService';
import { EnvironmentEvents } from './service/EnvironmentEvents';
import { EnvironmentsService } from './service/EnvironmentsService';
import { createRouter } from './service/router';

const DEFAULT_OPS_GROUPS = ['group:default/ops'];

/**
 * Cairn's Environments backend: Environments (`tenancy.cairn.dev`) of
 * every configured cluster from the shared watches, created and edited by
 * ops, read by the teams they belong to; the clusters' node topology and
 * its labels; signals of their changes for open pages; teams' requests
 * for a new environment or more quota, which ops approve in one click.
 * @public
 */
export const environmentsPlugin = createBackendPlugin({
  pluginId: 'environments',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        userInfo: coreServices.userInfo,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        database: coreServices.database,
        notifications: notificationService,
        logger: coreServices.logger,
        lifecycle: coreServices.lifecycle,
        kubernetes: kubernetesAccessServiceRef,
        signals: signalsServiceRef,
      },
      async init({
        config,
        httpRouter,
        httpAuth,
        userInfo,
        permissions,
        permissionsRegistry,
        auditor,
        database,
        notifications,
        logger,
        lifecycle,
        kubernetes,
        signals,
      }) {
        permissionsRegistry.addPermissions(environmentsPermissions);
        const labels = config.getOptionalConfig('environments.topologyLabels');
        const service = new EnvironmentsService({
          clusters: kubernetes.clusters,
          watches: kubernetes.watches,
          topologyLabels: {
            zone:
              labels?.getOptionalString('zone') ?? DEFAULT_TOPOLOGY_LABELS.zone,
            rack:
              labels?.getOptionalString('rack') ?? DEFAULT_TOPOLOGY_LABELS.rack,
            host:
              labels?.getOptionalString('host') ?? DEFAULT_TOPOLOGY_LABELS.host,
          },
        });
        // The shared caches exist from the start, so the first page view
        // finds them listed.
        service.watchAll();
        const events = new EnvironmentEvents({
          watches: kubernetes.watches,
          signals,
          logger,
        });
        events.start();
        lifecycle.addShutdownHook(() => events.stop());
        httpRouter.use(
          await createRouter({
            environments: new AuthorizedEnvironmentsService({
              service,
              permissions,
              userInfo,
            }),
            requests: new AuthorizedEnvironmentRequestsService({
              service: new EnvironmentRequestsService({
                store: await RequestStore.create(database),
                environments: service,
                clusters: kubernetes.clusters,
                notifications,
                logger,
                // As the Cairn permission policy reads them.
                opsGroups: (
                  config.getOptionalStringArray('cairn.permission.opsGroups') ??
                  DEFAULT_OPS_GROUPS
                ).map(ref =>
                  stringifyEntityRef(
                    parseEntityRef(ref, { defaultKind: 'group' }),
                  ),
                ),
              }),
              environments: service,
              permissions,
              userInfo,
            }),
            httpAuth,
            auditor,
          }),
        );
      },
    });
  },
});
