import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { pipelinesPermissions } from '@cairn/plugin-pipelines-common';
import { ClusterAccess } from './clusters';
import { createRouter } from './service/router';
import { PipelineRunsService } from './service/PipelineRunsService';
import { TektonWatches } from './watch';

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
        catalog: catalogServiceRef,
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
        catalog,
      }) {
        permissionsRegistry.addPermissions(pipelinesPermissions);
        const clusters = ClusterAccess.fromConfig(config);
        const watches = new TektonWatches({ clusters, logger });
        // Watches start now and keep retrying an unreachable cluster, so the
        // portal starts even while a cluster is down.
        watches.start();
        lifecycle.addShutdownHook(() => watches.stop());
        logger.info(
          `watching Tekton objects on ${
            clusters.list().length
          } cluster(s): ${clusters
            .list()
            .map(c => c.name)
            .join(', ')}`,
        );
        const service = new PipelineRunsService({ clusters, watches });
        httpRouter.use(
          await createRouter({
            service,
            catalog,
            httpAuth,
            permissions,
            auditor,
            logger,
          }),
        );
      },
    });
  },
});
