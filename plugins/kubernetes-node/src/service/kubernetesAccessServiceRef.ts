import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { ClusterAccess } from '../clusters';
import { ClusterWatches } from '../watch';

/**
 * What every Cairn backend plugin of a process shares: the clusters of the
 * `kubernetes:` config with one client pool, and one watch per kind per
 * cluster.
 * @public
 */
export interface KubernetesAccessService {
  clusters: ClusterAccess;
  watches: ClusterWatches;
}

/**
 * The backend's one {@link KubernetesAccessService}; by default made from
 * the `kubernetes:` config. Its watches start once the backend has started
 * (every plugin has subscribed to its caches by then; a plugin may start
 * its caches earlier, see {@link ClusterWatches}) and stop when it stops.
 * @public
 */
export const kubernetesAccessServiceRef =
  createServiceRef<KubernetesAccessService>({
    id: 'cairn.kubernetes-access',
    scope: 'root',
    defaultFactory: async service =>
      createServiceFactory({
        service,
        deps: {
          config: coreServices.rootConfig,
          logger: coreServices.rootLogger,
          lifecycle: coreServices.rootLifecycle,
        },
        factory({ config, logger, lifecycle }) {
          const clusters = ClusterAccess.fromConfig(config);
          const watches = new ClusterWatches({
            clusters,
            logger: logger.child({ service: 'cairn.kubernetes-access' }),
          });
          lifecycle.addStartupHook(() => watches.start());
          lifecycle.addShutdownHook(() => watches.stop());
          return { clusters, watches };
        },
      }),
  });
