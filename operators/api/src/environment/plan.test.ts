import type {
  V1Namespace,
  V1Node,
  V1ResourceQuota,
  V1RoleBinding,
} from '@kubernetes/client-node';
import { environmentConfigFromEnv } from './config';
import { environmentLimitRange, tenantRoleBindings } from './objects';
import {
  EnvironmentAction,
  EnvironmentObservation,
  planEnvironment,
  QUOTA_COUNT_WAIT_SECONDS,
  quotaCountWait,
} from './plan';
import type { Environment } from './types';

const NOW = new Date('2026-12-07T12:00:00Z');
const LABEL = 'env.tenancy.cairn.dev/shop-prod';
const SELECTOR = {
  'scheduler.alpha.kubernetes.io/node-selector': `${LABEL}=true`,
  'tenancy.cairn.dev/node-selector': `${LABEL}=true`,
};

const node = (name: string, zone: string, labels = {}): V1Node => ({
  metadata: {
    name,
    labels: {
      'topology.kubernetes.io/zone': zone,
      'kubernetes.io/hostname': name,
      ...labels,
    },
  },
});

const ENV: Environment = {
  metadata: {
    name: 'shop-prod',
    uid: 'env-uid',
    generation: 2,
    finalizers: ['tenancy.cairn.dev/release-namespace'],
  },
  spec: {
    namespace: 'shop',
    owner: 'group:default/team-storefront',
    tenants: [
      { group: 'group:default/team-storefront', role: 'admin' },
      { group: 'group:default/auditors', role: 'view' },
    ],
    // Two zones: a placement of several values binds nodes by label.
    placement: { zones: ['zone-a', 'zone-c'] },
    storageClasses: ['fast'],
    quota: { pods: '20', 'requests.cpu': '4' },
    limits: { defaultRequest: { cpu: '100m' } },
  },
};

const NAMESPACE: V1Namespace = {
  metadata: {
    name: 'shop',
    uid: 'ns-uid',
    labels: {
      'tenancy.cairn.dev/environment': 'shop-prod',
      'tenancy.cairn.dev/owner': 'team-storefront',
    },
    annotations: {
      'tenancy.cairn.dev/owner': 'group:default/team-storefront',
      ...SELECTOR,
    },
  },
};

const QUOTA: V1ResourceQuota = {
  metadata: {
    name: 'cairn-environment',
    namespace: 'shop',
    uid: 'q-uid',
    resourceVersion: '7',
    labels: { 'tenancy.cairn.dev/environment': 'shop-prod' },
  },
  // As the API server writes them back: canonical quantities.
  spec: {
    hard: {
      pods: '20',
      'requests.cpu': '4',
      'standard.storageclass.storage.k8s.io/requests.storage': '0',
      'standard.storageclass.storage.k8s.io/persistentvolumeclaims': '0',
    },
  },
  status: {
    hard: { pods: '20', 'requests.cpu': '4' },
    used: { pods: '3', 'requests.cpu': '1500m' },
  },
};

const withUid = (b: V1RoleBinding, uid: string): V1RoleBinding => ({
  ...b,
  metadata: { ...b.metadata, uid, resourceVersion: '5' },
});

/** The cluster as the controller leaves it for ENV. */
function converged(): EnvironmentObservation {
  const config = environmentConfigFromEnv({});
  return {
    environment: ENV,
    namespace: NAMESPACE,
    quota: QUOTA,
    limitRange: {
      ...environmentLimitRange(ENV)!,
      metadata: {
        ...environmentLimitRange(ENV)!.metadata,
        uid: 'lr-uid',
        resourceVersion: '3',
      },
    },
    roleBindings: tenantRoleBindings(ENV, ENV.spec.tenants!, '{name}').map(
      (b, i) => withUid(b, `rb-${i}`),
    ),
    nodes: [
      node('a1', 'zone-a', { [LABEL]: 'true' }),
      node('a2', 'zone-a', { [LABEL]: 'true' }),
      node('b1', 'zone-b'),
    ],
    storageClasses: ['standard', 'fast'],
    config,
    now: NOW,
  };
}

const types = (actions: EnvironmentAction[]) => actions.map(a => a.type);
const statusOf = (actions: EnvironmentAction[]) =>
  (
    actions.find(a => a.type === 'updateStatus') as
      | Extract<EnvironmentAction, { type: 'updateStatus' }>
      | undefined
  )?.status;
const condition = (actions: EnvironmentAction[], type: string) =>
  statusOf(actions)?.conditions?.find(c => c.type === type);

/** Applies a plan's status, as the next reconcile would read it. */
function settled(observation: EnvironmentObservation): EnvironmentObservation {
  const status = statusOf(planEnvironment(observation).actions);
  return {
    ...observation,
    environment: { ...observation.environment, status },
  };
}

describe('planEnvironment', () => {
  it('adds its finalizer first', () => {
    const observation = converged();
    observation.environment = {
      ...ENV,
      metadata: { ...ENV.metadata, finalizers: [] },
    };
    expect(planEnvironment(observation).actions).toEqual([
      { type: 'addFinalizer' },
    ]);
  });

  it('creates the namespace labelled, annotated with the owner and the placement’s node selector, binds the nodes, and creates its objects in the same pass', () => {
    const observation = {
      ...converged(),
      namespace: undefined,
      quota: undefined,
      limitRange: undefined,
      roleBindings: [],
      nodes: [node('a1', 'zone-a'), node('b1', 'zone-b')],
    };
    const { actions, requeueAfterSeconds } = planEnvironment(observation);
    expect(types(actions)).toEqual([
      'labelNode',
      'createNamespace',
      'create',
      'create',
      'create',
      'create',
    ]);
    expect(actions.slice(0, 2)).toEqual([
      { type: 'labelNode', node: 'a1', label: LABEL, bind: true },
      {
        type: 'createNamespace',
        namespace: {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: {
            name: 'shop',
            labels: NAMESPACE.metadata!.labels,
            annotations: NAMESPACE.metadata!.annotations,
          },
        },
      },
    ]);
    // The status waits for the new quota's first count, which queues
    // the Environment again (or for the time given).
    expect(requeueAfterSeconds).toBe(QUOTA_COUNT_WAIT_SECONDS);
  });

  it('writes nothing but its status on a cluster that matches, and is Ready', () => {
    const { actions } = planEnvironment(converged());
    expect(types(actions)).toEqual(['updateStatus']);
    expect(statusOf(actions)).toEqual({
      nodes: ['a1', 'a2'],
      quota: QUOTA.status,
      observedGeneration: 2,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          observedGeneration: 2,
          lastTransitionTime: NOW.toISOString(),
          reason: 'Reconciled',
          message:
            'namespace shop bound to 2 node(s), quota and tenants applied',
        },
        {
          type: 'PlacementEmpty',
          status: 'False',
          observedGeneration: 2,
          lastTransitionTime: NOW.toISOString(),
          reason: 'NodesMatched',
          message: '2 node(s) match the placement',
        },
      ],
    });
    // Written once: the same status is not written again.
    expect(planEnvironment(settled(converged())).actions).toEqual([]);
  });

  it('reports Ready in the pass that repairs, in one status write after its other writes', () => {
    const observation = converged();
    const [admin] = observation.roleBindings;
    const { actions } = planEnvironment({
      ...observation,
      roleBindings: [admin],
    });
    expect(types(actions)).toEqual(['create', 'updateStatus']);
    expect(condition(actions, 'Ready')).toMatchObject({
      status: 'True',
      reason: 'Reconciled',
    });
  });

  it('writes no status whose maps differ only in key order from the stored one', () => {
    const observation = settled(converged());
    const reorder = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(reorder);
      if (!value || typeof value !== 'object') return value;
      return Object.fromEntries(
        Object.entries(value)
          .reverse()
          .map(([k, v]) => [k, reorder(v)]),
      );
    };
    observation.environment = {
      ...observation.environment,
      status: reorder(observation.environment.status) as any,
    };
    expect(planEnvironment(observation).actions).toEqual([]);
  });

  it('waits for a new quota’s first count before writing the status, for a bounded time', () => {
    const uncounted = (createdSecondsAgo: number): V1ResourceQuota => ({
      ...QUOTA,
      metadata: {
        ...QUOTA.metadata,
        creationTimestamp: new Date(NOW.getTime() - createdSecondsAgo * 1000),
      },
      status: undefined,
    });
    const observation = { ...converged(), quota: uncounted(3) };
    const plan = planEnvironment(observation);
    expect(plan.actions).toEqual([]);
    expect(plan.requeueAfterSeconds).toBe(QUOTA_COUNT_WAIT_SECONDS - 3);
    // Not counted in time: the status is written without the quota.
    const late = planEnvironment({
      ...observation,
      quota: uncounted(QUOTA_COUNT_WAIT_SECONDS),
    });
    expect(late.requeueAfterSeconds).toBeUndefined();
    expect(statusOf(late.actions)!.quota).toBeUndefined();
    expect(condition(late.actions, 'Ready')).toMatchObject({ status: 'True' });
    // Counted: nothing to wait for.
    expect(quotaCountWait({ now: NOW }, QUOTA, [])).toBeUndefined();
    expect(quotaCountWait({ now: NOW }, undefined, [])).toBeUndefined();
  });

  it('keeps a condition’s transition time while its status holds', () => {
    const before = settled(converged());
    const later = { ...before, now: new Date('2026-12-08T00:00:00Z') };
    later.quota = {
      ...QUOTA,
      status: { ...QUOTA.status, used: { pods: '4' } },
    };
    const status = statusOf(planEnvironment(later).actions)!;
    expect(status.quota!.used).toEqual({ pods: '4' });
    expect(status.conditions![0].lastTransitionTime).toBe(NOW.toISOString());
  });

  it('recreates a deleted RoleBinding (drift)', () => {
    const observation = settled(converged());
    const [admin, view] = observation.roleBindings;
    const { actions } = planEnvironment({
      ...observation,
      roleBindings: [admin],
    });
    expect(actions[0]).toEqual({
      type: 'create',
      object: {
        ...tenantRoleBindings(ENV, ENV.spec.tenants!, '{name}')[1],
        kind: 'RoleBinding',
      },
    });
    expect(view.metadata!.name).toBe('cairn-environment-view');
    // Ready already, and Ready once the binding is back: no status write.
    expect(types(actions)).toEqual(['create']);
  });

  it('puts back edited subjects, deletes bindings no tenant has, and replaces a binding whose role was changed', () => {
    const observation = settled(converged());
    const [admin, view] = observation.roleBindings;
    const { actions } = planEnvironment({
      ...observation,
      roleBindings: [
        { ...admin, subjects: [{ kind: 'Group', name: 'intruders' }] },
        { ...view, roleRef: { ...view.roleRef, name: 'edit' } },
        withUid(
          {
            ...view,
            metadata: { ...view.metadata, name: 'cairn-environment-edit' },
          },
          'rb-old',
        ),
      ],
    });
    expect(
      actions.map(a => {
        if (a.type === 'create' || a.type === 'update')
          return `${a.type} ${a.object.metadata!.name}`;
        return a.type === 'delete' ? `delete ${a.name} ${a.uid}` : a.type;
      }),
    ).toEqual([
      'update cairn-environment-admin',
      'delete cairn-environment-view rb-1',
      'create cairn-environment-view',
      'delete cairn-environment-edit rb-old',
    ]);
    const update = actions[0] as Extract<EnvironmentAction, { type: 'update' }>;
    expect(update.object.metadata!.resourceVersion).toBe('5');
  });

  it('sees no drift in a quota the API server wrote back in canonical form, and repairs a changed one', () => {
    const observation = settled(converged());
    observation.environment = {
      ...observation.environment,
      spec: { ...ENV.spec, quota: { pods: '2e1', 'requests.cpu': '4000m' } },
    };
    expect(planEnvironment(observation).actions).toEqual([]);
    const edited = {
      ...observation,
      quota: {
        ...QUOTA,
        spec: { hard: { ...QUOTA.spec!.hard, pods: '200' } },
      },
    };
    const [action] = planEnvironment(edited).actions;
    expect(action).toMatchObject({
      type: 'update',
      object: {
        kind: 'ResourceQuota',
        metadata: { name: 'cairn-environment', resourceVersion: '7' },
        spec: { hard: { pods: '2e1' } },
      },
    });
  });

  it('zeroes a StorageClass created later', () => {
    const observation = settled(converged());
    const [action] = planEnvironment({
      ...observation,
      storageClasses: ['standard', 'fast', 'archive'],
    }).actions;
    expect(action).toMatchObject({
      type: 'update',
      object: {
        spec: {
          hard: {
            'archive.storageclass.storage.k8s.io/requests.storage': '0',
            'archive.storageclass.storage.k8s.io/persistentvolumeclaims': '0',
          },
        },
      },
    });
  });

  it('takes over an object of the same name without its label', () => {
    const observation = settled(converged());
    const { actions } = planEnvironment({
      ...observation,
      limitRange: {
        ...observation.limitRange!,
        metadata: { ...observation.limitRange!.metadata, labels: {} },
      },
    });
    expect(actions[0]).toMatchObject({
      type: 'update',
      object: {
        kind: 'LimitRange',
        metadata: {
          resourceVersion: '3',
          labels: { 'tenancy.cairn.dev/environment': 'shop-prod' },
        },
      },
    });
  });

  it('moves the binding label with the placement and reports an empty one', () => {
    const observation = settled(converged());
    observation.environment = {
      ...observation.environment,
      spec: { ...ENV.spec, placement: { zones: ['zone-x'] } },
    };
    const { actions } = planEnvironment(observation);
    expect(actions.filter(a => a.type === 'labelNode')).toEqual([
      { type: 'labelNode', node: 'a1', label: LABEL, bind: false },
      { type: 'labelNode', node: 'a2', label: LABEL, bind: false },
    ]);
    expect(statusOf(actions)!.nodes).toBeUndefined();
    expect(condition(actions, 'PlacementEmpty')).toMatchObject({
      status: 'True',
      reason: 'NoNodeMatches',
    });
  });

  it('selects a single-value placement’s topology label directly, releasing the bound nodes', () => {
    const observation = settled(converged());
    observation.environment = {
      ...observation.environment,
      spec: { ...ENV.spec, placement: { racks: ['r1'] } },
    };
    observation.nodes = [
      node('a1', 'zone-a', {
        [LABEL]: 'true',
        'topology.cairn.dev/rack': 'r1',
      }),
      node('a2', 'zone-a', {
        [LABEL]: 'true',
        'topology.cairn.dev/rack': 'r2',
      }),
    ];
    const { actions } = planEnvironment(observation);
    expect(actions.filter(a => a.type !== 'updateStatus')).toEqual([
      { type: 'labelNode', node: 'a1', label: LABEL, bind: false },
      { type: 'labelNode', node: 'a2', label: LABEL, bind: false },
      {
        type: 'patchNamespace',
        name: 'shop',
        labels: {},
        annotations: {
          'scheduler.alpha.kubernetes.io/node-selector':
            'topology.cairn.dev/rack=r1',
          'tenancy.cairn.dev/node-selector': 'topology.cairn.dev/rack=r1',
        },
      },
    ]);
    expect(statusOf(actions)!.nodes).toEqual(['a1']);
  });

  it('keeps a node selector it did not write when the placement is emptied', () => {
    const observation = settled(converged());
    observation.environment = {
      ...observation.environment,
      spec: { ...ENV.spec, placement: {} },
    };
    observation.namespace = {
      metadata: {
        ...NAMESPACE.metadata,
        annotations: {
          'tenancy.cairn.dev/owner': 'group:default/team-storefront',
          'scheduler.alpha.kubernetes.io/node-selector': 'pool=batch',
        },
      },
    };
    const { actions } = planEnvironment(observation);
    expect(types(actions)).not.toContain('patchNamespace');
  });

  it('drops its node selector when the placement is emptied, so pods may run anywhere', () => {
    const observation = settled(converged());
    observation.environment = {
      ...observation.environment,
      spec: { ...ENV.spec, placement: {} },
    };
    const { actions } = planEnvironment(observation);
    expect(actions).toContainEqual({
      type: 'patchNamespace',
      name: 'shop',
      labels: {},
      annotations: {
        'scheduler.alpha.kubernetes.io/node-selector': null,
        'tenancy.cairn.dev/node-selector': null,
      },
    });
    expect(condition(actions, 'PlacementEmpty')).toMatchObject({
      status: 'False',
      reason: 'NotBound',
    });
  });

  it('leaves placement to the webhook when configured so: no binding labels nor node selector, its own taken back', () => {
    const observation = converged();
    observation.config = {
      ...observation.config,
      placementAdmission: 'Webhook',
    };
    const { actions } = planEnvironment(observation);
    expect(actions.filter(a => a.type !== 'updateStatus')).toEqual([
      { type: 'labelNode', node: 'a1', label: LABEL, bind: false },
      { type: 'labelNode', node: 'a2', label: LABEL, bind: false },
      {
        type: 'patchNamespace',
        name: 'shop',
        labels: {},
        annotations: {
          'scheduler.alpha.kubernetes.io/node-selector': null,
          'tenancy.cairn.dev/node-selector': null,
        },
      },
    ]);
    // The nodes are still resolved: the status tells where pods go.
    expect(statusOf(actions)!.nodes).toEqual(['a1', 'a2']);
    expect(condition(actions, 'PlacementEmpty')).toMatchObject({
      status: 'False',
      reason: 'NodesMatched',
    });
  });

  it('creates a namespace without a node selector in webhook mode', () => {
    const observation = converged();
    observation.config = {
      ...observation.config,
      placementAdmission: 'Webhook',
    };
    observation.namespace = undefined;
    observation.nodes = [node('a1', 'zone-a'), node('b1', 'zone-b')];
    const create = planEnvironment(observation).actions.find(
      a => a.type === 'createNamespace',
    ) as Extract<EnvironmentAction, { type: 'createNamespace' }>;
    expect(create.namespace.metadata!.annotations).toEqual({
      'tenancy.cairn.dev/owner': 'group:default/team-storefront',
    });
    expect(types(planEnvironment(observation).actions)).not.toContain(
      'labelNode',
    );
  });

  it('relabels a namespace whose labels or annotation were edited', () => {
    const observation = settled(converged());
    const { actions } = planEnvironment({
      ...observation,
      namespace: {
        metadata: {
          ...NAMESPACE.metadata,
          labels: { 'tenancy.cairn.dev/environment': 'shop-prod' },
          annotations: {
            'scheduler.alpha.kubernetes.io/node-selector': 'anything=else',
          },
        },
      },
    });
    expect(actions[0]).toEqual({
      type: 'patchNamespace',
      name: 'shop',
      labels: { 'tenancy.cairn.dev/owner': 'team-storefront' },
      annotations: {
        'tenancy.cairn.dev/owner': 'group:default/team-storefront',
        ...SELECTOR,
      },
    });
  });

  it('leaves alone a namespace of another Environment', () => {
    const { actions } = planEnvironment({
      ...converged(),
      namespace: {
        metadata: {
          name: 'shop',
          labels: { 'tenancy.cairn.dev/environment': 'other' },
        },
      },
    });
    expect(types(actions)).toEqual(['updateStatus']);
    expect(condition(actions, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'NamespaceTaken',
      message: 'namespace shop belongs to Environment other',
    });
  });

  it('never adopts Kubernetes’ own namespaces', () => {
    for (const namespace of ['kube-system', 'default']) {
      const observation = converged();
      observation.environment = { ...ENV, spec: { ...ENV.spec, namespace } };
      observation.namespace = { metadata: { name: namespace } };
      const { actions } = planEnvironment(observation);
      expect(types(actions)).toEqual(['updateStatus']);
      expect(condition(actions, 'Ready')).toMatchObject({
        status: 'False',
        reason: 'NamespaceProtected',
      });
    }
  });

  it('refuses quantities Kubernetes would refuse, writing nothing', () => {
    const observation = converged();
    observation.environment = {
      ...ENV,
      spec: { ...ENV.spec, limits: { max: { memory: '2 GB' } } },
    };
    const { actions } = planEnvironment(observation);
    expect(types(actions)).toEqual(['updateStatus']);
    expect(condition(actions, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'InvalidQuantity',
      message: expect.stringContaining('limits.max.memory: quantities must'),
    });
  });

  describe('on deletion', () => {
    const deleting = (policy?: 'Orphan' | 'Delete') => {
      const observation = converged();
      observation.environment = {
        ...ENV,
        metadata: { ...ENV.metadata, deletionTimestamp: NOW },
        spec: { ...ENV.spec, deletionPolicy: policy },
      };
      return planEnvironment(observation).actions;
    };

    it('orphans the namespace by default: kept with its objects, untied, nodes released, an event, then the finalizer', () => {
      expect(deleting()).toEqual([
        { type: 'labelNode', node: 'a1', label: LABEL, bind: false },
        { type: 'labelNode', node: 'a2', label: LABEL, bind: false },
        {
          type: 'patchNamespace',
          name: 'shop',
          labels: {
            'tenancy.cairn.dev/environment': null,
            'tenancy.cairn.dev/owner': null,
          },
          annotations: {
            'tenancy.cairn.dev/owner': null,
            'scheduler.alpha.kubernetes.io/node-selector': null,
            'tenancy.cairn.dev/node-selector': null,
          },
        },
        ...[
          ['ResourceQuota', 'cairn-environment'],
          ['LimitRange', 'cairn-environment'],
          ['RoleBinding', 'cairn-environment-admin'],
          ['RoleBinding', 'cairn-environment-view'],
        ].map(([kind, name]) => ({
          type: 'unlabel',
          kind,
          namespace: 'shop',
          name,
        })),
        {
          type: 'event',
          eventType: 'Normal',
          reason: 'NamespaceOrphaned',
          message: expect.stringContaining('namespace shop kept'),
        },
        { type: 'removeFinalizer' },
      ]);
    });

    it('deletes the namespace with deletionPolicy Delete', () => {
      expect(types(deleting('Delete'))).toEqual([
        'labelNode',
        'labelNode',
        'deleteNamespace',
        'event',
        'removeFinalizer',
      ]);
      expect(deleting('Delete')[2]).toEqual({
        type: 'deleteNamespace',
        name: 'shop',
        uid: 'ns-uid',
      });
    });

    it('never deletes a namespace that is not its own', () => {
      const observation = converged();
      observation.environment = {
        ...ENV,
        metadata: { ...ENV.metadata, deletionTimestamp: NOW },
        spec: { ...ENV.spec, deletionPolicy: 'Delete' },
      };
      observation.namespace = {
        metadata: {
          name: 'shop',
          labels: { 'tenancy.cairn.dev/environment': 'other' },
        },
      };
      expect(types(planEnvironment(observation).actions)).toEqual([
        'labelNode',
        'labelNode',
        'removeFinalizer',
      ]);
    });
  });
});
