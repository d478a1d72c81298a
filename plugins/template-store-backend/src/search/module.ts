import {
  coreServices,
  createBackendModule,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { searchIndexRegistryExtensionPoint } from '@backstage/plugin-search-backend-node/alpha';
import { TemplateCollatorFactory } from './TemplateCollatorFactory';

/**
 * Puts the template store's templates into the portal's search, refreshed
 * on `search.collators.templateStore.schedule` (default every 10 minutes).
 * @public
 */
export const searchModuleTemplateStoreCollator = createBackendModule({
  pluginId: 'search',
  moduleId: 'template-store-collator',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        scheduler: coreServices.scheduler,
        indexRegistry: searchIndexRegistryExtensionPoint,
      },
      async init({ config, discovery, auth, scheduler, indexRegistry }) {
        const key = 'search.collators.templateStore.schedule';
        indexRegistry.addCollator({
          schedule: scheduler.createScheduledTaskRunner(
            config.has(key)
              ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
                  config.getConfig(key),
                )
              : {
                  frequency: { minutes: 10 },
                  timeout: { minutes: 5 },
                  initialDelay: { seconds: 30 },
                },
          ),
          factory: new TemplateCollatorFactory({ discovery, auth }),
        });
      },
    });
  },
});
