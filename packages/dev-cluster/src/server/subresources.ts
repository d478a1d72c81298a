import {
  formatLabelRequirements,
  labelSelectorRequirements,
} from '../machinery/labels';
import type { KubeObject } from '../store/types';
import { evaluateJsonPath, parseJsonPath } from './jsonPath';
import { deepClone, timestamp } from './objects';
import type { ResourceType } from './registry';
import { groupResource } from './resources';
import { ApiError, conflict, invalid, notFound, Status } from './status';
import { ServiceAccountTokens } from './tokens';

/*
 * The subresources with a kind of their own: scale (autoscaling/v1 Scale),
 * serviceaccounts/token (TokenRequest) and pods/binding (Binding).
 */

/** metav1.FormatLabelSelector: the selector's requirements in key order, `a=b,c in (d,e)`. */
export function formatLabelSelector(selector: any): string {
  if (!selector) return '';
  const requirements = [...labelSelectorRequirements(selector)].sort((a, b) =>
    a.key < b.key ? -1 : Number(a.key > b.key),
  );
  return formatLabelRequirements(requirements);
}

function getPath(object: unknown, path: string): unknown {
  return evaluateJsonPath(parseJsonPath(path), object)[0];
}

function setPath(
  object: Record<string, any>,
  path: string,
  value: unknown,
): void {
  const fields = path.replace(/^\./, '').split('.');
  let current = object;
  for (const field of fields.slice(0, -1)) {
    if (typeof current[field] !== 'object' || current[field] === null)
      current[field] = {};
    current = current[field];
  }
  current[fields[fields.length - 1]] = value;
}

/** The autoscaling/v1 Scale view of a deployment, replica set or scalable custom resource. */
export function toScale(type: ResourceType, object: KubeObject): KubeObject {
  const o = object as any;
  let specReplicas: unknown;
  let statusReplicas: unknown;
  let selector: string;
  if (type.custom?.scale) {
    const paths = type.custom.scale;
    specReplicas = getPath(o, paths.specReplicasPath);
    statusReplicas = getPath(o, paths.statusReplicasPath);
    const s = paths.labelSelectorPath
      ? getPath(o, paths.labelSelectorPath)
      : undefined;
    selector = typeof s === 'string' ? s : '';
  } else {
    specReplicas = o.spec?.replicas;
    statusReplicas = o.status?.replicas;
    selector = formatLabelSelector(o.spec?.selector);
  }
  const meta = object.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: meta.name,
      namespace: meta.namespace,
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
      creationTimestamp: meta.creationTimestamp,
    },
    spec: { replicas: typeof specReplicas === 'number' ? specReplicas : 0 },
    status: {
      replicas: typeof statusReplicas === 'number' ? statusReplicas : 0,
      ...(selector ? { selector } : {}),
    },
  };
}

/** The object with the replicas of `scale` applied; checks the Scale first. */
export function applyScale(
  type: ResourceType,
  object: KubeObject,
  scale: any,
): KubeObject {
  const name = object.metadata.name!;
  const replicas = scale?.spec?.replicas;
  if (
    replicas !== undefined &&
    (typeof replicas !== 'number' || replicas < 0)
  ) {
    throw invalid({ group: 'autoscaling', kind: 'Scale' }, name, [
      {
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${replicas}: must be greater than or equal to 0`,
        field: 'spec.replicas',
      },
    ]);
  }
  const rv = scale?.metadata?.resourceVersion;
  if (rv && rv !== object.metadata.resourceVersion) {
    throw conflict(
      groupResource(type),
      name,
      'the object has been modified; please apply your changes to the latest version and try again',
    );
  }
  const next = deepClone(object) as Record<string, any>;
  setPath(
    next,
    type.custom?.scale?.specReplicasPath ?? '.spec.replicas',
    replicas ?? 0,
  );
  return next as KubeObject;
}

const MIN_TOKEN_SECONDS = 600;
const MAX_TOKEN_SECONDS = 2 ** 32;

/** serviceaccounts/token: a TokenRequest answered with a signed token. */
export function createTokenRequest(
  tokens: ServiceAccountTokens,
  serviceAccount: KubeObject,
  body: any,
  boundObject: KubeObject | undefined,
): KubeObject {
  const name = serviceAccount.metadata.name!;
  const spec = body?.spec ?? {};
  const expirationSeconds: number = spec.expirationSeconds ?? 3600;
  if (expirationSeconds < MIN_TOKEN_SECONDS) {
    throw invalid(
      { group: 'authentication.k8s.io', kind: 'TokenRequest' },
      name,
      [
        {
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${expirationSeconds}: may not specify a duration less than 10 minutes`,
          field: 'spec.expirationSeconds',
        },
      ],
    );
  }
  if (expirationSeconds > MAX_TOKEN_SECONDS) {
    throw invalid(
      { group: 'authentication.k8s.io', kind: 'TokenRequest' },
      name,
      [
        {
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${expirationSeconds}: may not specify a duration larger than 2^32 seconds`,
          field: 'spec.expirationSeconds',
        },
      ],
    );
  }
  const ref = spec.boundObjectRef;
  const { token, claims } = tokens.issue(
    {
      namespace: serviceAccount.metadata.namespace!,
      name,
      uid: serviceAccount.metadata.uid!,
    },
    {
      audiences: spec.audiences,
      expirationSeconds,
      boundObject:
        ref && boundObject
          ? { kind: ref.kind, name: ref.name, uid: boundObject.metadata.uid! }
          : undefined,
    },
  );
  return {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: {
      name,
      namespace: serviceAccount.metadata.namespace,
      creationTimestamp: null as unknown as string,
    },
    spec: {
      audiences: claims.aud,
      expirationSeconds,
      boundObjectRef: ref ?? null,
    },
    status: {
      token,
      expirationTimestamp: timestamp(new Date(claims.exp * 1000)),
    },
  };
}

/** pods/binding: assigns a pod to a node, once. */
export function bindPod(pod: KubeObject, binding: any): KubeObject {
  const name = pod.metadata.name!;
  const target = binding?.target;
  if (!target?.name) {
    throw invalid(
      { group: '', kind: 'Binding' },
      binding?.metadata?.name ?? name,
      [
        {
          reason: 'FieldValueRequired',
          message: 'Required value',
          field: 'target.name',
        },
      ],
    );
  }
  if (target.kind && target.kind !== 'Node') {
    throw invalid({ group: '', kind: 'Binding' }, name, [
      {
        reason: 'FieldValueNotSupported',
        message: `Unsupported value: "${target.kind}": supported values: "Node"`,
        field: 'target.kind',
      },
    ]);
  }
  const p = pod as any;
  if (p.metadata.deletionTimestamp) {
    throw conflict(
      { group: '', resource: 'pods/binding' },
      name,
      `pod ${name} is being deleted, cannot be assigned to a host`,
    );
  }
  if (p.spec?.nodeName) {
    throw conflict(
      { group: '', resource: 'pods/binding' },
      name,
      `pod ${name} is already assigned to node "${p.spec.nodeName}"`,
    );
  }
  const next = deepClone(p);
  next.spec.nodeName = target.name;
  const conditions: any[] = (next.status ??= {}).conditions ?? [];
  const scheduled = {
    type: 'PodScheduled',
    status: 'True',
    lastProbeTime: null,
    lastTransitionTime: timestamp(),
  };
  const i = conditions.findIndex(c => c.type === 'PodScheduled');
  if (i >= 0) conditions[i] = scheduled;
  else conditions.push(scheduled);
  next.status.conditions = conditions;
  return next;
}

export function bindingStatus(): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    code: 201,
  };
}

export function serviceAccountNotFound(name: string): ApiError {
  return notFound({ group: '', resource: 'serviceaccounts' }, name);
}
