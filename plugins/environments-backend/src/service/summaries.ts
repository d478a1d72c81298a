import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  Environment,
  TopologyLabels,
  PROTECTED_NAMESPACES,
} from '@cairn/operators-api';
import {
  EnvironmentSummary,
  nuwaLabelImport,
  TopologyNode,
} from '@cairn/plugin-environments-common';
import type { V1Node } from '@kubernetes/client-node';

/*
 * Environments and nodes as the portal shows them: pure mappings from the
 * objects the watches hold.
 */

/** The summary the API serves of an Environment on a cluster. */
export function summarizeEnvironment(
  environment: Environment,
  cluster: string,
): EnvironmentSummary {
  const { metadata, spec, status } = environment;
  const conditions = status?.conditions ?? [];
  return {
    cluster,
    name: metadata.name!,
    resourceVersion: metadata.resourceVersion ?? '',
    generation: metadata.generation,
    createdAt: metadata.creationTimestamp
      ? new Date(metadata.creationTimestamp).toISOString()
      : undefined,
    spec,
    nodes: status?.nodes ?? [],
    quota: {
      hard: status?.quota?.hard ?? {},
      used: status?.quota?.used ?? {},
    },
    conditions,
    ready:
      status?.observedGeneration === metadata.generation &&
      conditions.some(c => c.type === 'Ready' && c.status === 'True'),
    deleting: Boolean(metadata.deletionTimestamp),
  };
}

/** Whether a group (normalised catalog ref) owns the environment or is one of its tenants. */
export function involvesGroup(environment: Environment, groupRef: string) {
  return (
    normalizeGroupRef(environment.spec.owner) === groupRef ||
    (environment.spec.tenants ?? []).some(
      t => normalizeGroupRef(t.group) === groupRef,
    )
  );
}

/**
 * `team-x`, `group:team-x` and `Group:default/Team-X` as the lowercase
 * `group:default/team-x` of a user's ownership claims.
 */
export function normalizeGroupRef(ref: string): string {
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

/** Why an Environment may not take this namespace, if it may not. */
export function namespaceRefusal(
  namespace: string,
  name: string,
  others: Environment[],
): string | undefined {
  if ((PROTECTED_NAMESPACES as readonly string[]).includes(namespace)) {
    return `namespace "${namespace}" is one of Kubernetes' own (${PROTECTED_NAMESPACES.join(
      ', ',
    )}); an environment cannot take it`;
  }
  const holder = others.find(
    e => e.spec.namespace === namespace && e.metadata.name !== name,
  );
  return holder
    ? `namespace "${namespace}" is already environment "${holder.metadata.name}"'s; pick another namespace`
    : undefined;
}

/** A node as the topology drawing shows it. */
export function toTopologyNode(
  node: V1Node,
  keys: TopologyLabels,
  pods: number,
  environments: string[],
): TopologyNode {
  const labels = node.metadata?.labels ?? {};
  const nuwaImport = nuwaLabelImport(labels, keys);
  return {
    name: node.metadata!.name!,
    zone: labels[keys.zone],
    rack: labels[keys.rack],
    host: labels[keys.host],
    ready:
      node.status?.conditions?.some(
        c => c.type === 'Ready' && c.status === 'True',
      ) ?? false,
    pods,
    environments,
    ...(nuwaImport && { nuwaImport }),
  };
}
