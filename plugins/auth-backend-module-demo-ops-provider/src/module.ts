import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  authProvidersExtensionPoint,
  createProxyAuthProviderFactory,
} from '@backstage/plugin-auth-node';
import {
  DEMO_OPS_PROVIDER_ID,
  demoOpsAuthenticator,
  signInAsDemoOpsUser,
} from './authenticator';

/**
 * Registers the `demoOps` sign-in provider with the auth backend. Like every
 * provider it is only served when `auth.providers.demoOps` is configured.
 */
export const authModuleDemoOpsProvider = createBackendModule({
  pluginId: 'auth',
  moduleId: 'demo-ops-provider',
  register(reg) {
    reg.registerInit({
      deps: { providers: authProvidersExtensionPoint },
      async init({ providers }) {
        providers.registerProvider({
          providerId: DEMO_OPS_PROVIDER_ID,
          factory: createProxyAuthProviderFactory({
            authenticator: demoOpsAuthenticator,
            signInResolver: signInAsDemoOpsUser,
          }),
        });
      },
    });
  },
});
