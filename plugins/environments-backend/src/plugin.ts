import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { DEFAULT_TOPOLOGY_LABELS } from '@cairn/operators-api';
import { environmentsPermissions } from '@cairn/plugin-environments-common';
import { kubernetesAccessServiceRef } from '@cairn/plugin-kubernetes-node';
import { AuthorizedEnvironmentsService } from './service/AuthorizedEnvironmentsService';
import { EnvironmentsService } from './service/EnvironmentsService';
import { createRouter } from './service/router';

/**
 * Cairn's Environments backend: Environments (`tenancy.cairn.dev`) of
 * every configured cluster from the shared watches, created and edited by
 * ops, read by the teams they belong to; the clusters' node topology and
 * its labels.
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
        kubernetes: kubernetesAccessServiceRef,
      },
      async init({
        config,
        httpRouter,
        httpAuth,
        userInfo,
        permissions,
        permissionsRegistry,
        auditor,
        kubernetes,
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
        httpRouter.use(
          await createRouter({
            environments: new AuthorizedEnvironmentsService({
              service,
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
