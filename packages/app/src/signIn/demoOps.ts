import {
  ApiRef,
  BackstageIdentityApi,
  createApiFactory,
  createApiRef,
  discoveryApiRef,
  ProfileInfoApi,
  SessionApi,
} from '@backstage/core-plugin-api';
import { ProxiedSignInAuth } from './ProxiedSignInAuth';

/**
 * "Ops (demo)": the local portal's sign-in as the demo ops user, served by
 * @cairn/plugin-auth-backend-module-demo-ops-provider (`auth.providers.demoOps`).
 */
export const demoOpsAuthApiRef: ApiRef<
  ProfileInfoApi & BackstageIdentityApi & SessionApi
> = createApiRef({ id: 'cairn.auth.demo-ops' });

export const demoOpsAuthApiFactory = createApiFactory({
  api: demoOpsAuthApiRef,
  deps: { discoveryApi: discoveryApiRef },
  factory: ({ discoveryApi }) =>
    new ProxiedSignInAuth({ discoveryApi, provider: 'demoOps' }),
});

/** The sign-in page's card for it. */
export const demoOpsSignInProvider = {
  id: 'demoOps',
  title: 'Ops (demo)',
  message:
    'Enter as the demo ops user, who may approve release stages. From this machine only.',
  apiRef: demoOpsAuthApiRef,
};
