import type { V1SecurityContext } from '@kubernetes/client-node';
import type { DebugProfile } from './types';

/*
 * `kubectl debug --profile` (kubernetes/kubectl pkg/cmd/debug/profiles.go),
 * applied as kubectl applies it to the debug container it creates — a new
 * container, so "clear the security context" leaves none and "add a
 * capability" adds it to an empty list.
 */

/**
 * The debug container's securityContext under a profile: general adds
 * SYS_PTRACE; baseline has none; restricted runs as non-root with every
 * capability dropped, no privilege escalation and the RuntimeDefault seccomp
 * profile; netadmin adds NET_ADMIN and NET_RAW; sysadmin is privileged.
 * @public
 */
export function profileSecurityContext(
  profile: DebugProfile,
): V1SecurityContext | undefined {
  switch (profile) {
    case 'general':
      return { capabilities: { add: ['SYS_PTRACE'] } };
    case 'baseline':
      return undefined;
    case 'restricted':
      return {
        runAsNonRoot: true,
        capabilities: { drop: ['ALL'] },
        allowPrivilegeEscalation: false,
        seccompProfile: { type: 'RuntimeDefault' },
      };
    case 'netadmin':
      return { capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } };
    case 'sysadmin':
      return { privileged: true };
    default:
      throw new Error(`unknown debug profile ${JSON.stringify(profile)}`);
  }
}
