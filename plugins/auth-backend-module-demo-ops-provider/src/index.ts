/**
 * Sign-in as the demo ops user for the local portal: a credential-free auth
 * provider in the shape of `@backstage/plugin-auth-backend-module-guest-provider`,
 * signing in the catalog user `auth.providers.demoOps.userEntityRef` names,
 * from this machine only and only in a development backend.
 *
 * @packageDocumentation
 */
export { authModuleDemoOpsProvider as default } from './module';
export {
  DEMO_OPS_PROVIDER_ID,
  demoOpsAuthenticator,
  demoOpsSignInRefusal,
  signInAsDemoOpsUser,
} from './authenticator';
export type { DemoOpsResult } from './authenticator';
export { isLoopbackAddress } from './loopback';
