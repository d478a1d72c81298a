import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { decide } from '@cairn/plugin-permission-backend-module-cairn';

/*
 * Test support: the Cairn policy's rules as the environments backend's
 * tests run them, for users whose claims each test names.
 */

/** The group whose members are ops in these tests. */
export const OPS_GROUP = 'group:default/ops';

const userOf = (credentials: BackstageCredentials) =>
  (credentials.principal as { userEntityRef: string }).userEntityRef;

/**
 * The permission and user info services of users with these ownership
 * claims (by user entity ref), deciding as the Cairn policy does with
 * {@link OPS_GROUP} as ops.
 */
export function cairnPolicy(claims: Record<string, string[]>) {
  const permissions = mockServices.permissions.mock({
    authorize: async (requests, { credentials }) =>
      requests.map(r =>
        decide(
          (r as any).permission,
          {
            userEntityRef: userOf(credentials),
            ownershipEntityRefs: claims[userOf(credentials)],
          },
          { opsGroups: [OPS_GROUP] },
        ),
      ) as any,
  });
  const userInfo = mockServices.userInfo.mock({
    getUserInfo: async credentials => ({
      userEntityRef: userOf(credentials),
      ownershipEntityRefs: claims[userOf(credentials)],
    }),
  });
  return [permissions.factory, userInfo.factory];
}
