import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { createConditionAuthorizer } from '@backstage/plugin-permission-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import {
  kubernetesAccessServiceRef,
  ReadableEntityScopes,
} from '@cairn/plugin-kubernetes-node';
import {
  rolloutsPermissions,
  rolloutsStageApprovePermission,
  rolloutsStoneReadPermission,
} from '@cairn/plugin-rollouts-common';
import { DatabaseApprovalStore } from './database/ApprovalStore';
import { AuthorizedStonesService } from './service/AuthorizedStonesService';
import {
  stagePermissionRules,
  stageResourceLoader,
  stageResourceRef,
} from './service/permissionRules';
import { createRouter } from './service/router';
import { StoneEvents } from './service/StoneEvents';
import { StonesService } from './service/StonesService';

const DEFAULT_OPS_GROUPS = ['group:default/ops'];

/**
 * Cairn's Rollouts backend: the Stones of catalog entities from the shared
 * watches, and their stage approvals and updates as permissioned, audited
 * spec patches.
 * @public
 */
export const rolloutsPlugin = createBackendPlugin({
  pluginId: 'rollouts',
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
        catalog: catalogServiceRef,
        kubernetes: kubernetesAccessServiceRef,
        notifications: notificationService,
        signals: signalsServiceRef,
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
        catalog,
        kubernetes,
        notifications,
        signals,
      }) {
        permissionsRegistry.addResourceType({
          resourceRef: stageResourceRef,
          permissions: [rolloutsStageApprovePermission],
          rules: stagePermissionRules,
          getResources: stageResourceLoader({ catalog, auth }),
        });
        permissionsRegistry.addPermissions(
          rolloutsPermissions.filter(p => p !== rolloutsStageApprovePermission),
        );

        const { clusters, watches } = kubernetes;
        const service = new StonesService({
          clusters,
          watches,
          approvals: await DatabaseApprovalStore.create(database),
          rackLabel: config.getOptionalString('rollouts.rackLabel'),
        });
        // The shared caches exist from the start, so their watches run before
        // the first page view and the events below see every change.
        service.watchAll();

        const events = new StoneEvents({
          watches,
          catalog,
          auth,
          signals,
          notifications,
          logger,
          // As the Cairn permission policy reads them.
          opsGroups: (
            config.getOptionalStringArray('cairn.permission.opsGroups') ??
            DEFAULT_OPS_GROUPS
          ).map(ref =>
            stringifyEntityRef(parseEntityRef(ref, { defaultKind: 'group' })),
          ),
          ownerApprovableStages: config.getOptionalStringArray(
            'cairn.permission.rollouts.ownerApprovableStages',
          ),
        });
        events.start();
        lifecycle.addShutdownHook(() => events.stop());

        httpRouter.use(
          await createRouter({
            stones: new AuthorizedStonesService({
              service,
              catalog,
              permissions,
              readableScopes: new ReadableEntityScopes({
                catalog,
                permissions,
                permission: rolloutsStoneReadPermission,
              }),
              isStageAllowed: createConditionAuthorizer(
                permissionsRegistry.getPermissionRuleset(stageResourceRef),
              ),
            }),
            httpAuth,
            auditor,
          }),
        );
      },
    });
  },
});
