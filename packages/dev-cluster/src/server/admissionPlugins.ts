import { randomBytes } from 'node:crypto';
import {
  applyLimitRangeDefaults,
  checkResourceQuota,
  computeQuotaUsed,
  limitRangerDefaultPod,
  limitRangerValidateClaim,
  limitRangerValidatePod,
  podNodeSelectorAdmit,
  QuotaTarget,
} from '../machinery/admission';
import type { ObjectStore } from '../store/objectStore';
import type { KubeObject } from '../store/types';
import type { AdmissionPlugin, AdmissionRequest } from './admission';
import { isStorageVersion, ResourceRegistry, storageKey } from './registry';
import { groupResource, RequestContext, ResourceService } from './resources';
import { forbidden } from './status';

/*
 * kube-apiserver's default admission plugins for the dev cluster, around the
 * machinery module's pure functions: ServiceAccount, DefaultTolerationSeconds,
 * PodNodeSelector, LimitRanger and ResourceQuota; and the quota controller
 * that keeps each ResourceQuota's status.used.
 */

const isCore = (request: AdmissionRequest, plural: string) =>
  request.type.group === '' &&
  request.type.plural === plural &&
  request.subresource === '';

/** The pod a request creates, for plugins that admit only pod creation. */
const podBeingCreated = (request: AdmissionRequest): any =>
  request.operation === 'CREATE' && isCore(request, 'pods')
    ? request.object
    : undefined;

function reject(request: AdmissionRequest, message: string): never {
  throw forbidden(
    groupResource(request.type),
    request.name || undefined,
    message,
  );
}

/** Pods run as their namespace's `default` ServiceAccount unless they name one, which must exist. */
export function serviceAccountAdmission(store: ObjectStore): AdmissionPlugin {
  return {
    name: 'ServiceAccount',
    phase: 'mutating',
    admit(request) {
      const pod = podBeingCreated(request);
      if (!pod) return undefined;
      const spec = (pod.spec ??= {});
      const account: string =
        spec.serviceAccountName || spec.serviceAccount || 'default';
      if (!store.get('/serviceaccounts', `${request.namespace}/${account}`)) {
        reject(
          request,
          `error looking up service account ${request.namespace}/${account}: serviceaccount "${account}" not found`,
        );
      }
      spec.serviceAccountName = account;
      spec.serviceAccount = account;
      const serviceAccount = store.get(
        '/serviceaccounts',
        `${request.namespace}/${account}`,
      ) as { automountServiceAccountToken?: boolean };
      if (
        (spec.automountServiceAccountToken ??
          serviceAccount.automountServiceAccountToken) !== false
      )
        mountServiceAccountToken(spec);
      return pod;
    },
  };
}

/** Where every container finds its ServiceAccount's token, the cluster's CA and its namespace. */
export const SERVICE_ACCOUNT_MOUNT_PATH =
  '/var/run/secrets/kubernetes.io/serviceaccount';

/** The characters of Kubernetes' random name suffixes (utilrand.String). */
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * As kube-apiserver's ServiceAccount admission: a projected
 * `kube-api-access-<suffix>` volume (a bound token, `kube-root-ca.crt`'s
 * ca.crt, the namespace) mounted read-only at SERVICE_ACCOUNT_MOUNT_PATH in
 * every container that mounts nothing there.
 */
function mountServiceAccountToken(spec: any): void {
  const volumes: any[] = (spec.volumes ??= []);
  if (volumes.some(v => v.name?.startsWith('kube-api-access-'))) return;
  const containers: any[] = [
    ...(spec.initContainers ?? []),
    ...(spec.containers ?? []),
  ];
  const wanting = containers.filter(
    c =>
      !(c.volumeMounts ?? []).some(
        (m: any) => m.mountPath === SERVICE_ACCOUNT_MOUNT_PATH,
      ),
  );
  if (!wanting.length) return;
  const suffix = Array.from(
    randomBytes(5),
    byte => SUFFIX_ALPHABET[byte % SUFFIX_ALPHABET.length],
  ).join('');
  const name = `kube-api-access-${suffix}`;
  volumes.push({
    name,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        {
          configMap: {
            name: 'kube-root-ca.crt',
            items: [{ key: 'ca.crt', path: 'ca.crt' }],
          },
        },
        {
          downwardAPI: {
            items: [
              {
                path: 'namespace',
                fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' },
              },
            ],
          },
        },
      ],
    },
  });
  for (const container of wanting) {
    (container.volumeMounts ??= []).push({
      name,
      readOnly: true,
      mountPath: SERVICE_ACCOUNT_MOUNT_PATH,
    });
  }
}

const DEFAULT_TOLERATIONS = [
  'node.kubernetes.io/not-ready',
  'node.kubernetes.io/unreachable',
];

/** Pods tolerate not-ready and unreachable nodes for 300 s unless they say otherwise. */
export const defaultTolerationSecondsAdmission: AdmissionPlugin = {
  name: 'DefaultTolerationSeconds',
  phase: 'mutating',
  admit(request) {
    const pod = podBeingCreated(request);
    if (!pod) return undefined;
    const tolerations: any[] = (pod.spec.tolerations ??= []);
    for (const key of DEFAULT_TOLERATIONS) {
      const covered = tolerations.some(
        t =>
          (t.key === key || (!t.key && t.operator === 'Exists')) &&
          (!t.effect || t.effect === 'NoExecute'),
      );
      if (!covered) {
        tolerations.push({
          key,
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        });
      }
    }
    return pod;
  },
};

export function podNodeSelectorAdmission(store: ObjectStore): AdmissionPlugin {
  return {
    name: 'PodNodeSelector',
    phase: 'mutating',
    admit(request) {
      const pod = podBeingCreated(request);
      if (!pod) return undefined;
      const namespace = store.get('/namespaces', request.namespace);
      if (!namespace) return undefined;
      const result = podNodeSelectorAdmit(pod, namespace);
      if ('error' in result) return reject(request, result.error);
      return result.pod as KubeObject;
    },
  };
}

export function limitRangerAdmission(store: ObjectStore): AdmissionPlugin[] {
  const limitRanges = (namespace: string) =>
    store
      .list('/limitranges', { namespace })
      .items.map(applyLimitRangeDefaults);
  return [
    {
      name: 'LimitRanger',
      phase: 'mutating',
      admit(request) {
        const pod = podBeingCreated(request);
        if (!pod) return undefined;
        const ranges = limitRanges(request.namespace);
        return ranges.length
          ? (limitRangerDefaultPod(pod, ranges) as KubeObject)
          : undefined;
      },
    },
    {
      name: 'LimitRanger',
      phase: 'validating',
      admit(request) {
        if (request.operation !== 'CREATE' || !request.object) return;
        const ranges = limitRanges(request.namespace);
        if (!ranges.length) return;
        let error: string | undefined;
        if (isCore(request, 'pods'))
          error = limitRangerValidatePod(request.object, ranges);
        if (isCore(request, 'persistentvolumeclaims')) {
          error = limitRangerValidateClaim(request.object, ranges);
        }
        if (error) reject(request, error);
      },
    },
  ];
}

const QUOTA_CONTROLLER: RequestContext = {
  user: {
    username: 'system:serviceaccount:kube-system:resourcequota-controller',
    groups: ['system:masters'],
  },
  dryRun: false,
};

/**
 * ResourceQuota admission: a create (or a pod/PVC update) that would take a
 * quota past its hard limits is refused; an admitted one charges the quota's
 * status.used at once, as kube-apiserver's quota admission does.
 */
export function resourceQuotaAdmission(
  store: ObjectStore,
  registry: ResourceRegistry,
  resources: ResourceService,
): AdmissionPlugin {
  return {
    name: 'ResourceQuota',
    phase: 'validating',
    admit(request) {
      if (
        !request.type.namespaced ||
        !request.object ||
        request.subresource !== ''
      )
        return;
      if (request.operation !== 'CREATE' && request.operation !== 'UPDATE')
        return;
      const quotas = store.list('/resourcequotas', {
        namespace: request.namespace,
      }).items;
      if (!quotas.length) return;
      const target: QuotaTarget = {
        group: request.type.group,
        resource: request.type.plural,
      };
      const result = checkResourceQuota(
        quotas,
        target,
        request.object,
        request.oldObject,
      );
      if ('error' in result) reject(request, result.error);
      if (request.dryRun) return;
      const quotaType = registry.find('', 'v1', 'resourcequotas')!;
      for (const [name, used] of Object.entries(result.used)) {
        const quota = store.get(
          '/resourcequotas',
          `${request.namespace}/${name}`,
        );
        if (!quota) continue;
        const status = {
          ...(quota as any).status,
          hard: (quota as any).spec?.hard,
          used,
        };
        resources.write(
          quotaType,
          request.namespace,
          name,
          'status',
          quota,
          { ...quota, status },
          QUOTA_CONTROLLER,
        );
      }
    },
  };
}

/**
 * The quota controller: recomputes status.hard and status.used of every
 * ResourceQuota after changes (objects deleted, quotas created or edited).
 */
export class QuotaController {
  private timer: NodeJS.Timeout | undefined;
  private readonly listener = () => this.schedule();

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
    private readonly resources: ResourceService,
    private readonly delayMs = 100,
  ) {}

  start(): void {
    this.store.onChange(this.listener);
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private stopped = false;

  private schedule() {
    if (this.timer || this.stopped) return;
    if (this.store.count('/resourcequotas') === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.reconcile();
    }, this.delayMs);
  }

  private reconcile() {
    const quotaType = this.registry.find('', 'v1', 'resourcequotas')!;
    for (const quota of this.store.list('/resourcequotas').items as any[]) {
      const namespace = quota.metadata.namespace;
      const objects: { target: QuotaTarget; object: any }[] = [];
      for (const type of this.registry.all()) {
        if (!type.namespaced || !type.stored || !isStorageVersion(type))
          continue;
        for (const object of this.store.list(storageKey(type), { namespace })
          .items) {
          objects.push({
            target: { group: type.group, resource: type.plural },
            object,
          });
        }
      }
      const status = {
        hard: quota.spec?.hard ?? {},
        used: computeQuotaUsed(quota, objects),
      };
      const current = this.store.get(
        '/resourcequotas',
        `${namespace}/${quota.metadata.name}`,
      );
      if (!current) continue;
      this.resources.write(
        quotaType,
        namespace,
        quota.metadata.name,
        'status',
        current,
        { ...current, status },
        QUOTA_CONTROLLER,
      );
    }
  }
}
