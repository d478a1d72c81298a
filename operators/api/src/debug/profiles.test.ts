import { profileSecurityContext } from './profiles';
import { DEBUG_PROFILES } from './types';

describe('profileSecurityContext', () => {
  it.each([
    ['general', { capabilities: { add: ['SYS_PTRACE'] } }],
    ['baseline', undefined],
    [
      'restricted',
      {
        runAsNonRoot: true,
        capabilities: { drop: ['ALL'] },
        allowPrivilegeEscalation: false,
        seccompProfile: { type: 'RuntimeDefault' },
      },
    ],
    ['netadmin', { capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } }],
    ['sysadmin', { privileged: true }],
  ] as const)(
    '%s gives what kubectl debug --profile sets',
    (profile, expected) => {
      expect(profileSecurityContext(profile)).toEqual(expected);
    },
  );

  it('gives a new object each time, so a caller cannot change the next session', () => {
    const first = DEBUG_PROFILES.map(profileSecurityContext);
    first.forEach(context => context?.capabilities?.add?.push('SYS_ADMIN'));
    expect(DEBUG_PROFILES.map(profileSecurityContext)).not.toContainEqual(
      expect.objectContaining({
        capabilities: expect.objectContaining({
          add: expect.arrayContaining(['SYS_ADMIN']),
        }),
      }),
    );
  });

  it('refuses an unknown profile', () => {
    expect(() => profileSecurityContext('legacy' as any)).toThrow(
      'unknown debug profile "legacy"',
    );
  });
});
