import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { CairnPermissionPolicy } from './policy/CairnPermissionPolicy';

/** Installs Cairn's permission policy in the permission backend. */
export const permissionModuleCairnPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'cairn-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        policy: policyExtensionPoint,
      },
      async init({ config, policy }) {
        policy.setPolicy(CairnPermissionPolicy.fromConfig(config));
      },
    });
  },
});
