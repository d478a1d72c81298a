import {
  coreServices,
  createBackendPlugin,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { createConditionAuthorizer } from '@backstage/plugin-permission-node';
import {
  EntityAuthorizer,
  kubernetesAccessServiceRef,
} from '@cairn/plugin-kubernetes-node';
import {
  TEMPLATE_KINDS,
  TemplateKind,
  templatesDeletePermission,
  templatesPublishPermission,
  templateStorePermissions,
} from '@cairn/plugin-template-store-common';
import { CatalogImporter } from './import/CatalogImporter';
import { readImportLimits } from './import/limits';
import { TemplateInstaller } from './install/TemplateInstaller';
import { TemplateUsageTracker } from './usage/TemplateUsageTracker';
import { importSource, readCatalogSources } from './import/sources';
import { AuthorizedTemplateStoreService } from './service/AuthorizedTemplateStoreService';
import { DefaultTemplateStoreService } from './service/DefaultTemplateStoreService';
import {
  isTemplateOwnerRule,
  templateResourceRef,
} from './service/permissionRules';
import { createRouter } from './service/router';
import { DatabaseTemplateStore } from './store/DatabaseTemplateStore';

/**
 * Cairn's template store: versioned Tekton templates in the portal
 * database, imported from catalogs and published from the portal.
 * @public
 */
export const templateStorePlugin = createBackendPlugin({
  pluginId: 'template-store',
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
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        urlReader: coreServices.urlReader,
        catalog: catalogServiceRef,
        kubernetes: kubernetesAccessServiceRef,
        auth: coreServices.auth,
        lifecycle: coreServices.lifecycle,
      },
      async init({
        config,
        logger,
        httpRouter,
        httpAuth,
        permissions,
        permissionsRegistry,
        auditor,
        database,
        scheduler,
        urlReader,
        catalog,
        kubernetes,
        auth,
        lifecycle,
      }) {
        const store = await DatabaseTemplateStore.create(database);
        permissionsRegistry.addPermissions(templateStorePermissions);
        permissionsRegistry.addResourceType({
          resourceRef: templateResourceRef,
          permissions: [templatesPublishPermission, templatesDeletePermission],
          rules: [isTemplateOwnerRule],
          getResources: async refs =>
            Promise.all(
              refs.map(async ref => {
                // A template's resource ref: `Task/git-clone`.
                const [kind, name] = ref.split('/');
                const template = TEMPLATE_KINDS.find(k => k === kind)
                  ? await store.getTemplate(kind as TemplateKind, name, '')
                  : undefined;
                return (
                  template && {
                    kind: template.kind,
                    name,
                    owner: template.owner,
                  }
                );
              }),
            ),
        });
        const limits = readImportLimits(config);
        const importer = new CatalogImporter({ store, limits, urlReader });
        const service = new AuthorizedTemplateStoreService(
          new DefaultTemplateStoreService({
            store,
            importer,
            limits,
            catalog,
            installer: new TemplateInstaller(kubernetes.clusters),
          }),
          permissions,
          createConditionAuthorizer(
            permissionsRegistry.getPermissionRuleset(templateResourceRef),
          ),
          new EntityAuthorizer({
            catalog,
            permissions,
            auditor,
            objects: 'templates',
          }),
        );

        const usage = new TemplateUsageTracker({
          watches: kubernetes.watches,
          store,
          catalog,
          auth,
          logger,
        });
        usage.start();
        lifecycle.addShutdownHook(() => usage.stop());

        const sources = readCatalogSources(config);
        if (sources.length) {
          const schedule = config.has('templateStore.schedule')
            ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
                config.getConfig('templateStore.schedule'),
              )
            : {
                frequency: { hours: 6 },
                timeout: { minutes: 15 },
                initialDelay: { seconds: 5 },
              };
          await scheduler.scheduleTask({
            id: 'template-store-import-sources',
            scope: 'global',
            ...schedule,
            fn: async () => {
              for (const source of sources) {
                try {
                  const report = await importSource(importer, source);
                  logger.info(
                    `imported template source ${source.id}: ${report.added} added, ${report.unchanged} unchanged, ${report.rejected} rejected`,
                  );
                } catch (error) {
                  logger.error(
                    `could not import template source ${source.id}`,
                    error as Error,
                  );
                }
              }
            },
          });
        }

        httpRouter.use(
          await createRouter({
            service,
            httpAuth,
            auditor,
            limits,
            defaultImportOwner:
              config.getOptionalString('templateStore.imports.defaultOwner') ??
              'group:default/ops',
          }),
        );
      },
    });
  },
});
