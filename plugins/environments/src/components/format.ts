import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import type { EnvironmentPlacement } from '@cairn/operators-api';
import type { EnvironmentSummary } from '@cairn/plugin-environments-common';

/** `zones local-1a; racks r1, r2` or `any node`. */
export function describePlacement(placement?: EnvironmentPlacement): string {
  const parts = (['zones', 'racks', 'hosts'] as const)
    .filter(level => placement?.[level]?.length)
    .map(level => `${level} ${placement![level]!.join(', ')}`);
  return parts.length ? parts.join('; ') : 'any node';
}

/** Ready, Deleting, Not ready: <reason> or Pending. */
export function describeStatus(environment: EnvironmentSummary): string {
  if (environment.deleting) return 'Deleting';
  if (environment.ready) return 'Ready';
  const ready = environment.conditions.find(c => c.type === 'Ready');
  return ready ? `Not ready: ${ready.reason}` : 'Pending';
}

/** `team-x` and `Group:default/Team-X` alike, as `group:default/team-x`. */
function normalizeGroupRef(ref: string): string {
  try {
    return stringifyEntityRef(
      parseEntityRef(ref, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      }),
    ).toLocaleLowerCase('en-US');
  } catch {
    // An Environment written by hand may name no valid ref: it matches no group.
    return ref;
  }
}

/** The role a group has in an environment: owner, and its tenant role. */
export function roleOf(
  environment: EnvironmentSummary,
  groupRef: string,
): string | undefined {
  const group = normalizeGroupRef(groupRef);
  const roles = [
    normalizeGroupRef(environment.spec.owner) === group ? 'owner' : undefined,
    environment.spec.tenants?.find(t => normalizeGroupRef(t.group) === group)
      ?.role,
  ].filter(Boolean);
  return roles.length ? roles.join(', ') : undefined;
}
