import type {
  KubernetesObject,
  V1Namespace,
  V1Node,
  V1ResourceQuota,
  V1RoleBinding,
} from '@kubernetes/client-node';
import type { EnvironmentConfig } from './config';
import {
  ANNOTATION_OWNER,
  ANNOTATION_PLACEMENT_SELECTOR,
  ENVIRONMENT_FINALIZER,
  LABEL_ENVIRONMENT,
  LABEL_OWNER,
  NODE_SELECTOR_ANNOTATION,
  PROTECTED_NAMESPACES,
} from './constants';
import {
  environmentLimitRange,
  environmentQuota,
  LimitRangeObject,
  namespaceMetadata,
  tenantRoleBindings,
} from './objects';
import {
  directPlacementSelector,
  isPlacementBound,
  nodeLabelChanges,
  placementAnnotation,
  placementNodeLabel,
  resolvePlacement,
} from './placement';
import { desiredQuotaHard, invalidQuantities, sameResourceList } from './quota';
import type {
  Environment,
  EnvironmentCondition,
  EnvironmentStatus,
} from './types';
import { canonicalJson } from '../stone/revisions';

/*
 * planEnvironment: from an Environment and what the cluster holds (the
 * informers' caches), the writes that make the cluster match it — drift
 * detection is this comparison, so a deleted or edited object is put back
 * by the next reconcile its watch event queues.
 */

/** What the controller sees of the cluster. @public */
export interface EnvironmentObservation {
  environment: Environment;
  /** The namespace `spec.namespace`, if it exists. */
  namespace?: V1Namespace;
  /** The ResourceQuota `cairn-environment` in it. */
  quota?: V1ResourceQuota;
  /** The LimitRange `cairn-environment` in it. */
  limitRange?: LimitRangeObject;
  /** The RoleBindings in it labelled as this Environment's. */
  roleBindings: V1RoleBinding[];
  nodes: V1Node[];
  /** The cluster's StorageClass names. */
  storageClasses: string[];
  config: EnvironmentConfig;
  now: Date;
}

/** A labelled object the controller writes: ResourceQuota, LimitRange or RoleBinding. @public */
export type EnvironmentObject = KubernetesObject & {
  kind: 'ResourceQuota' | 'LimitRange' | 'RoleBinding';
};

/** @public */
export type EnvironmentAction =
  | { type: 'addFinalizer' }
  | { type: 'removeFinalizer' }
  | { type: 'createNamespace'; namespace: V1Namespace }
  | {
      type: 'patchNamespace';
      name: string;
      /** A JSON merge patch of metadata; null removes a key. */
      labels: Record<string, string | null>;
      annotations: Record<string, string | null>;
    }
  | { type: 'deleteNamespace'; name: string; uid: string }
  | { type: 'labelNode'; node: string; label: string; bind: boolean }
  /** Creates the object; one that exists already (without our label) is replaced. */
  | { type: 'create'; object: EnvironmentObject }
  /** Replaces the object (carrying the resourceVersion it was read at). */
  | { type: 'update'; object: EnvironmentObject }
  | {
      type: 'delete';
      kind: EnvironmentObject['kind'];
      namespace: string;
      name: string;
      uid: string;
    }
  | {
      type: 'unlabel';
      kind: EnvironmentObject['kind'];
      namespace: string;
      name: string;
    }
  | { type: 'updateStatus'; status: EnvironmentStatus }
  | {
      type: 'event';
      eventType: 'Normal' | 'Warning';
      reason: string;
      message: string;
    };

/** @public */
export interface EnvironmentPlan {
  actions: EnvironmentAction[];
  /** Look again after this long (a namespace still terminating). */
  requeueAfterSeconds?: number;
}

const kindOf = (
  object: object,
  kind: EnvironmentObject['kind'],
): EnvironmentObject => ({ ...object, kind } as EnvironmentObject);

function condition(
  previous: EnvironmentCondition[] | undefined,
  next: Omit<EnvironmentCondition, 'lastTransitionTime'>,
  now: Date,
): EnvironmentCondition {
  const before = previous?.find(c => c.type === next.type);
  return {
    ...next,
    lastTransitionTime:
      before && before.status === next.status
        ? before.lastTransitionTime
        : now.toISOString(),
  };
}

/**
 * Whether two statuses say the same (transition times aside when the status
 * holds). Key order aside too: an API server serialising a custom
 * resource's maps sorts their keys, which would otherwise rewrite an
 * unchanged status on every reconcile.
 */
function sameStatus(a: EnvironmentStatus | undefined, b: EnvironmentStatus) {
  return canonicalJson(a ?? {}) === canonicalJson(b);
}

/**
 * How long a new ResourceQuota's first count is waited for before the
 * status is written without it.
 */
export const QUOTA_COUNT_WAIT_SECONDS = 10;

const labelled = (object: KubernetesObject | undefined, environment: string) =>
  object?.metadata?.labels?.[LABEL_ENVIRONMENT] === environment;

/** The object changes (create, update, delete) that bring `actual` to `desired`. */
function objectChanges(
  desired: EnvironmentObject | undefined,
  actual: EnvironmentObject | undefined,
  same: (desired: EnvironmentObject, actual: EnvironmentObject) => boolean,
  environment: string,
): EnvironmentAction[] {
  if (!desired) {
    return actual && labelled(actual, environment)
      ? [
          {
            type: 'delete',
            kind: actual.kind,
            namespace: actual.metadata!.namespace!,
            name: actual.metadata!.name!,
            uid: actual.metadata!.uid!,
          },
        ]
      : [];
  }
  if (!actual) return [{ type: 'create', object: desired }];
  if (labelled(actual, environment) && same(desired, actual)) return [];
  return [
    {
      type: 'update',
      object: {
        ...desired,
        metadata: {
          ...desired.metadata,
          resourceVersion: actual.metadata!.resourceVersion,
        },
      },
    },
  ];
}

function statusOf(
  observation: EnvironmentObservation,
  nodes: string[],
  ready: Omit<EnvironmentCondition, 'lastTransitionTime' | 'type'>,
): EnvironmentStatus {
  const { environment, quota, now } = observation;
  const previous = environment.status?.conditions;
  const bound = isPlacementBound(environment.spec.placement);
  const generation = environment.metadata.generation;
  return {
    ...(nodes.length ? { nodes } : {}),
    ...(quota?.status
      ? {
          quota: {
            ...(quota.status.hard ? { hard: quota.status.hard } : {}),
            ...(quota.status.used ? { used: quota.status.used } : {}),
          },
        }
      : {}),
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    conditions: [
      condition(
        previous,
        { type: 'Ready', observedGeneration: generation, ...ready },
        now,
      ),
      condition(
        previous,
        bound && !nodes.length
          ? {
              type: 'PlacementEmpty',
              status: 'True',
              observedGeneration: generation,
              reason: 'NoNodeMatches',
              message:
                'no node has a listed zone, rack or host label; pods of the environment stay Pending',
            }
          : {
              type: 'PlacementEmpty',
              status: 'False',
              observedGeneration: generation,
              reason: bound ? 'NodesMatched' : 'NotBound',
              message: bound
                ? `${nodes.length} node(s) match the placement`
                : 'no placement: pods may run on any node',
            },
        now,
      ),
    ],
  };
}

function withStatus(
  observation: EnvironmentObservation,
  actions: EnvironmentAction[],
  nodes: string[],
  ready: Omit<EnvironmentCondition, 'lastTransitionTime' | 'type'>,
): EnvironmentAction[] {
  const status = statusOf(observation, nodes, ready);
  return sameStatus(observation.environment.status, status)
    ? actions
    : [...actions, { type: 'updateStatus', status }];
}

/**
 * Seconds to wait before writing the status, while a ResourceQuota this
 * pass creates, or one created less than QUOTA_COUNT_WAIT_SECONDS ago, has
 * not been counted yet (no `status.hard`): the quota controller's count
 * queues the Environment again, and its status is then written once, with
 * the quota, instead of once without and once more with it. Undefined when
 * there is nothing to wait for.
 */
export function quotaCountWait(
  observation: Pick<EnvironmentObservation, 'now'>,
  quota: V1ResourceQuota | undefined,
  actions: EnvironmentAction[],
): number | undefined {
  if (
    actions.some(a => a.type === 'create' && a.object.kind === 'ResourceQuota')
  )
    return QUOTA_COUNT_WAIT_SECONDS;
  if (!quota || quota.status?.hard) return undefined;
  const created = quota.metadata?.creationTimestamp;
  if (created === undefined) return undefined;
  const age = (observation.now.getTime() - new Date(created).getTime()) / 1000;
  return age < QUOTA_COUNT_WAIT_SECONDS
    ? Math.ceil(QUOTA_COUNT_WAIT_SECONDS - age)
    : undefined;
}

/**
 * The annotation removals that take back the node selector this
 * Environment set on its namespace: the one it recorded, or its binding
 * label's (namespaces labelled before the record was kept).
 */
function releasedSelector(
  namespace: V1Namespace,
  label: { key: string } | { error: string },
): Record<string, null> {
  const annotations = namespace.metadata?.annotations ?? {};
  const current = annotations[NODE_SELECTOR_ANNOTATION];
  const ours =
    current !== undefined &&
    (current === annotations[ANNOTATION_PLACEMENT_SELECTOR] ||
      ('key' in label &&
        current === placementAnnotation(label.key)[NODE_SELECTOR_ANNOTATION]));
  return {
    ...(ours ? { [NODE_SELECTOR_ANNOTATION]: null } : {}),
    ...(ANNOTATION_PLACEMENT_SELECTOR in annotations
      ? { [ANNOTATION_PLACEMENT_SELECTOR]: null }
      : {}),
  };
}

/** The writes that release (Orphan) or delete (Delete) an Environment's namespace, then its finalizer. */
function planDeletion(observation: EnvironmentObservation): EnvironmentPlan {
  const { environment, namespace } = observation;
  const name = environment.metadata.name!;
  if (!environment.metadata.finalizers?.includes(ENVIRONMENT_FINALIZER))
    return { actions: [] };
  const actions: EnvironmentAction[] = [];
  const label = placementNodeLabel(name);
  if ('key' in label) {
    for (const change of nodeLabelChanges(label.key, observation.nodes, []))
      actions.push({
        type: 'labelNode',
        node: change.node,
        label: label.key,
        bind: false,
      });
  }
  const ours = namespace && labelled(namespace, name);
  if (ours && environment.spec.deletionPolicy === 'Delete') {
    if (!namespace.metadata!.deletionTimestamp)
      actions.push({
        type: 'deleteNamespace',
        name: namespace.metadata!.name!,
        uid: namespace.metadata!.uid!,
      });
    actions.push({
      type: 'event',
      eventType: 'Normal',
      reason: 'NamespaceDeleted',
      message: `deleted namespace ${
        namespace.metadata!.name
      } (deletionPolicy Delete)`,
    });
  } else if (ours) {
    const annotations: Record<string, null> = {
      [ANNOTATION_OWNER]: null,
      ...releasedSelector(namespace, label),
    };
    actions.push({
      type: 'patchNamespace',
      name: namespace.metadata!.name!,
      labels: { [LABEL_ENVIRONMENT]: null, [LABEL_OWNER]: null },
      annotations,
    });
    const kept: Array<
      [EnvironmentObject['kind'], KubernetesObject | undefined]
    > = [
      ['ResourceQuota', observation.quota],
      ['LimitRange', observation.limitRange],
      ...observation.roleBindings.map(
        b =>
          ['RoleBinding', b] as [EnvironmentObject['kind'], KubernetesObject],
      ),
    ];
    for (const [kind, object] of kept) {
      if (object && labelled(object, name))
        actions.push({
          type: 'unlabel',
          kind,
          namespace: object.metadata!.namespace!,
          name: object.metadata!.name!,
        });
    }
    actions.push({
      type: 'event',
      eventType: 'Normal',
      reason: 'NamespaceOrphaned',
      message: `namespace ${
        namespace.metadata!.name
      } kept with its quota, limits, role bindings and workloads (deletionPolicy Orphan); its nodes are no longer reserved`,
    });
  }
  actions.push({ type: 'removeFinalizer' });
  return { actions };
}

/**
 * What to write for an Environment. Deleting: release or delete its
 * namespace, unbind its nodes, then drop the finalizer. Otherwise: the
 * namespace (labelled, annotated with its placement), its nodes' binding
 * label, ResourceQuota, LimitRange and RoleBindings as the spec says, and a
 * status that tells what is bound and how much quota is used.
 * @public
 */
export function planEnvironment(
  observation: EnvironmentObservation,
): EnvironmentPlan {
  const { environment, namespace, config } = observation;
  const name = environment.metadata.name!;
  const spec = environment.spec;
  if (environment.metadata.deletionTimestamp) return planDeletion(observation);
  if (!environment.metadata.finalizers?.includes(ENVIRONMENT_FINALIZER))
    return { actions: [{ type: 'addFinalizer' }] };

  const refuse = (reason: string, message: string, nodes: string[] = []) => ({
    actions: withStatus(observation, [], nodes, {
      status: 'False',
      reason,
      message,
    }),
  });
  const label = placementNodeLabel(name);
  if ('error' in label) return refuse('InvalidName', label.error);
  if ((PROTECTED_NAMESPACES as readonly string[]).includes(spec.namespace))
    return refuse(
      'NamespaceProtected',
      `namespace ${spec.namespace} is Kubernetes' own and cannot be an environment`,
    );
  const invalid = [
    ...invalidQuantities(spec.quota).map(
      i => `quota.${i.resource}: ${i.message}`,
    ),
    ...(['default', 'defaultRequest', 'max'] as const).flatMap(field =>
      invalidQuantities(spec.limits?.[field]).map(
        i => `limits.${field}.${i.resource}: ${i.message}`,
      ),
    ),
  ];
  if (invalid.length) return refuse('InvalidQuantity', invalid.join('; '));

  const nodes = resolvePlacement(
    spec.placement,
    observation.nodes,
    config.topologyLabels,
  );
  // A single-value placement selects its topology label directly: no node
  // carries the binding label then (any left from an earlier placement go).
  const direct = directPlacementSelector(spec.placement, config.topologyLabels);
  // The webhook writes node affinity from the placement itself: no node
  // carries the binding label then, and the namespace no selector.
  const byAnnotation = config.placementAdmission !== 'Webhook';
  const actions: EnvironmentAction[] = [];
  for (const change of nodeLabelChanges(
    label.key,
    observation.nodes,
    direct || !byAnnotation ? [] : nodes,
  ))
    actions.push({
      type: 'labelNode',
      node: change.node,
      label: label.key,
      bind: change.bind,
    });

  const metadata = namespaceMetadata(environment);
  const bound = isPlacementBound(spec.placement);
  const selector = direct
    ? { [NODE_SELECTOR_ANNOTATION]: direct }
    : placementAnnotation(label.key);
  const annotations: Record<string, string> = {
    ...metadata.annotations,
    ...(bound && byAnnotation
      ? {
          ...selector,
          [ANNOTATION_PLACEMENT_SELECTOR]: selector[NODE_SELECTOR_ANNOTATION],
        }
      : {}),
  };
  if (!namespace) {
    actions.push({
      type: 'createNamespace',
      namespace: {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: spec.namespace,
          labels: metadata.labels,
          annotations,
        },
      },
    });
    // A namespace just created holds none of its objects: they are
    // created in the same pass, after it (one status write and one
    // reconcile fewer than waiting for the namespace in the cache).
  } else {
    const owner = namespace.metadata?.labels?.[LABEL_ENVIRONMENT];
    if (owner !== undefined && owner !== name)
      return refuse(
        'NamespaceTaken',
        `namespace ${spec.namespace} belongs to Environment ${owner}`,
        nodes,
      );
    if (namespace.metadata?.deletionTimestamp)
      return {
        ...refuse(
          'NamespaceTerminating',
          `namespace ${spec.namespace} is being deleted`,
          nodes,
        ),
        requeueAfterSeconds: 5,
      };
    const labelPatch: Record<string, string | null> = {};
    for (const [key, value] of Object.entries(metadata.labels))
      if (namespace.metadata?.labels?.[key] !== value) labelPatch[key] = value;
    const annotationPatch: Record<string, string | null> = {};
    for (const [key, value] of Object.entries(annotations))
      if (namespace.metadata?.annotations?.[key] !== value)
        annotationPatch[key] = value;
    if (!bound || !byAnnotation)
      Object.assign(annotationPatch, releasedSelector(namespace, label));
    if (Object.keys(labelPatch).length || Object.keys(annotationPatch).length)
      actions.push({
        type: 'patchNamespace',
        name: spec.namespace,
        labels: labelPatch,
        annotations: annotationPatch,
      });
  }

  // What the caches hold of its objects; none in a namespace being created.
  const inNamespace = namespace
    ? observation
    : { quota: undefined, limitRange: undefined, roleBindings: [] };
  const hard = desiredQuotaHard(spec, observation.storageClasses);
  actions.push(
    ...objectChanges(
      Object.keys(hard).length
        ? kindOf(environmentQuota(environment, hard), 'ResourceQuota')
        : undefined,
      inNamespace.quota && kindOf(inNamespace.quota, 'ResourceQuota'),
      (d, a) =>
        sameResourceList(
          (d as V1ResourceQuota).spec?.hard,
          (a as V1ResourceQuota).spec?.hard,
        ) && !(a as V1ResourceQuota).spec?.scopes?.length,
      name,
    ),
  );
  const limitRange = environmentLimitRange(environment);
  actions.push(
    ...objectChanges(
      limitRange && kindOf(limitRange, 'LimitRange'),
      inNamespace.limitRange && kindOf(inNamespace.limitRange, 'LimitRange'),
      (d, a) => {
        const [want] = (d as LimitRangeObject).spec!.limits;
        const have = (a as LimitRangeObject).spec?.limits ?? [];
        return (
          have.length === 1 &&
          have[0].type === 'Container' &&
          (['default', 'defaultRequest', 'max'] as const).every(field =>
            sameResourceList(want[field], have[0][field]),
          )
        );
      },
      name,
    ),
  );
  const bindings = tenantRoleBindings(
    environment,
    spec.tenants ?? [],
    config.groupTemplate,
  );
  const existing = new Map(
    inNamespace.roleBindings.map(b => [b.metadata!.name!, b]),
  );
  for (const binding of bindings) {
    const actual = existing.get(binding.metadata!.name!);
    existing.delete(binding.metadata!.name!);
    if (actual && actual.roleRef.name !== binding.roleRef.name) {
      // roleRef cannot change: a binding edited into another role goes.
      actions.push(
        {
          type: 'delete',
          kind: 'RoleBinding',
          namespace: spec.namespace,
          name: actual.metadata!.name!,
          uid: actual.metadata!.uid!,
        },
        { type: 'create', object: kindOf(binding, 'RoleBinding') },
      );
      continue;
    }
    actions.push(
      ...objectChanges(
        kindOf(binding, 'RoleBinding'),
        actual && kindOf(actual, 'RoleBinding'),
        (d, a) =>
          canonicalJson((d as V1RoleBinding).subjects) ===
          canonicalJson((a as V1RoleBinding).subjects),
        name,
      ),
    );
  }
  for (const extra of existing.values())
    actions.push(
      ...objectChanges(
        undefined,
        kindOf(extra, 'RoleBinding'),
        () => true,
        name,
      ),
    );

  // The status goes last in the pass, after every write above succeeded (a
  // failed one ends the pass before it; one the API server refuses the
  // controller reports as Ready=False): it tells what the cluster holds
  // then. One status write per pass, not `Reconciling` now and `Ready` on
  // the pass the writes' own watch events bring.
  const ready = {
    status: 'True' as const,
    reason: 'Reconciled',
    message: `namespace ${spec.namespace} ${
      bound ? `bound to ${nodes.length} node(s)` : 'not bound to nodes'
    }, quota and tenants applied`,
  };
  const waitSeconds = quotaCountWait(observation, inNamespace.quota, actions);
  if (waitSeconds !== undefined)
    return { actions, requeueAfterSeconds: waitSeconds };
  return { actions: withStatus(observation, actions, nodes, ready) };
}
