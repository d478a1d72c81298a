/**
 * Built-in admission plugins as pure functions: LimitRanger,
 * ResourceQuota (usage, constraints and the exceeded-quota check) and
 * PodNodeSelector, with kube-apiserver's messages. A rejection is reported as
 * the error text kube-apiserver wraps in a 403: build the Status with
 * `statusErrors.forbidden(groupResource, name, message)`.
 */

import { parseLabelSelector } from './labels';
import { Quantity } from './quantity';

type Obj = Record<string, any>;
/** A resource list with parsed quantities. */
export type ResourceList = Record<string, Quantity>;

const CONTAINER = 'Container';

function parseList(list: Obj | undefined): ResourceList {
  const out: ResourceList = {};
  for (const [name, value] of Object.entries(list ?? {})) {
    const quantity = Quantity.tryParse(value);
    if (quantity) out[name] = quantity;
  }
  return out;
}

const sortedKeys = (list: Obj | undefined) => Object.keys(list ?? {}).sort();
const aggregate = (errors: string[]) =>
  errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;

/**
 * Fills a LimitRange's Container defaults as the API server does on create
 * (SetDefaults_LimitRangeItem): default ← max, defaultRequest ← default ← min.
 */
export function applyLimitRangeDefaults<T extends Obj>(limitRange: T): T {
  const limits = (limitRange.spec?.limits ?? []).map((item: Obj) => {
    if (item.type !== CONTAINER) return item;
    const defaults: Obj = { ...(item.default ?? {}) };
    const defaultRequest: Obj = { ...(item.defaultRequest ?? {}) };
    for (const [key, value] of Object.entries(item.max ?? {}))
      defaults[key] ??= value;
    for (const [key, value] of Object.entries(defaults))
      defaultRequest[key] ??= value;
    for (const [key, value] of Object.entries(item.min ?? {}))
      defaultRequest[key] ??= value;
    return { ...item, default: defaults, defaultRequest };
  });
  return { ...limitRange, spec: { ...(limitRange.spec ?? {}), limits } };
}

/**
 * LimitRanger's mutation of a pod being created: containers and init
 * containers get the Container defaults of every LimitRange for the requests
 * and limits they do not set, and the pod is annotated
 * `kubernetes.io/limit-ranger: LimitRanger plugin set: cpu request for container app; …`.
 * Returns a new pod.
 */
export function limitRangerDefaultPod<T extends Obj>(
  pod: T,
  limitRanges: Obj[],
): T {
  let result: Obj = structuredClone(pod);
  for (const limitRange of limitRanges) {
    const requests: Obj = {};
    const limits: Obj = {};
    for (const item of limitRange.spec?.limits ?? []) {
      if (item.type !== CONTAINER) continue;
      Object.assign(requests, item.defaultRequest ?? {});
      Object.assign(limits, item.default ?? {});
    }
    if (!Object.keys(requests).length && !Object.keys(limits).length) continue;
    const notes: string[] = [];
    const mergeInto = (container: Obj, kind: string) => {
      container.resources = { ...(container.resources ?? {}) };
      const setLimits: string[] = [];
      const setRequests: string[] = [];
      container.resources.limits = { ...(container.resources.limits ?? {}) };
      container.resources.requests = {
        ...(container.resources.requests ?? {}),
      };
      for (const [key, value] of Object.entries(limits)) {
        if (!(key in container.resources.limits)) {
          container.resources.limits[key] = value;
          setLimits.push(key);
        }
      }
      for (const [key, value] of Object.entries(requests)) {
        if (!(key in container.resources.requests)) {
          container.resources.requests[key] = value;
          setRequests.push(key);
        }
      }
      if (setRequests.length)
        notes.push(
          `${setRequests.sort().join(', ')} request for ${kind} ${
            container.name
          }`,
        );
      if (setLimits.length)
        notes.push(
          `${setLimits.sort().join(', ')} limit for ${kind} ${container.name}`,
        );
    };
    (result.spec?.containers ?? []).forEach((c: Obj) =>
      mergeInto(c, 'container'),
    );
    (result.spec?.initContainers ?? []).forEach((c: Obj) =>
      mergeInto(c, 'init container'),
    );
    if (notes.length) {
      result = {
        ...result,
        metadata: {
          ...(result.metadata ?? {}),
          annotations: {
            ...(result.metadata?.annotations ?? {}),
            'kubernetes.io/limit-ranger': `LimitRanger plugin set: ${notes.join(
              '; ',
            )}`,
          },
        },
      };
    }
  }
  return result as T;
}

/** Compares in milli-units when both fit, as requestLimitEnforcedValues does. */
const observed = (q: Quantity | undefined) => (q ? q.nanos : 0n);

function minConstraint(
  type: string,
  name: string,
  enforced: Quantity,
  requests: ResourceList,
  limits: ResourceList,
): string | undefined {
  const request = requests[name];
  const limit = limits[name];
  if (!request)
    return `minimum ${name} usage per ${type} is ${enforced}.  No request is specified`;
  if (observed(request) < enforced.nanos)
    return `minimum ${name} usage per ${type} is ${enforced}, but request is ${request}`;
  if (limit && observed(limit) < enforced.nanos)
    return `minimum ${name} usage per ${type} is ${enforced}, but limit is ${limit}`;
  return undefined;
}

function maxConstraint(
  type: string,
  name: string,
  enforced: Quantity,
  requests: ResourceList,
  limits: ResourceList,
): string | undefined {
  const request = requests[name];
  const limit = limits[name];
  if (!limit)
    return `maximum ${name} usage per ${type} is ${enforced}.  No limit is specified`;
  if (observed(limit) > enforced.nanos)
    return `maximum ${name} usage per ${type} is ${enforced}, but limit is ${limit}`;
  if (request && observed(request) > enforced.nanos)
    return `maximum ${name} usage per ${type} is ${enforced}, but request is ${request}`;
  return undefined;
}

function ratioConstraint(
  type: string,
  name: string,
  enforced: Quantity,
  requests: ResourceList,
  limits: ResourceList,
): string | undefined {
  const request = requests[name];
  const limit = limits[name];
  if (!request || request.isZero()) {
    return `${name} max limit to request ratio per ${type} is ${enforced}, but no request is specified or request is 0`;
  }
  if (!limit || limit.isZero()) {
    return `${name} max limit to request ratio per ${type} is ${enforced}, but no limit is specified or limit is 0`;
  }
  const ratio = Number(limit.nanos) / Number(request.nanos);
  if (ratio * 1000 > enforced.milliValue()) {
    return `${name} max limit to request ratio per ${type} is ${enforced}, but provided ratio is ${ratio.toFixed(
      6,
    )}`;
  }
  return undefined;
}

function checkItem(
  item: Obj,
  type: string,
  requests: ResourceList,
  limits: ResourceList,
): string[] {
  const errors: string[] = [];
  const run = (bounds: Obj | undefined, check: typeof minConstraint) => {
    for (const name of sortedKeys(bounds)) {
      const enforced = Quantity.tryParse(bounds![name]);
      const error = enforced && check(type, name, enforced, requests, limits);
      if (error) errors.push(error);
    }
  };
  run(item.min, minConstraint);
  run(item.max, maxConstraint);
  run(item.maxLimitRequestRatio, ratioConstraint);
  return errors;
}

/** Requests or limits of a whole pod: containers summed, init containers as a floor. */
export function podResources(
  pod: Obj,
  field: 'requests' | 'limits',
): ResourceList {
  const total: ResourceList = {};
  const add = (list: ResourceList) => {
    for (const [name, q] of Object.entries(list))
      total[name] = total[name] ? total[name].add(q) : q;
  };
  for (const container of pod.spec?.containers ?? [])
    add(parseList(container.resources?.[field]));
  const initContainers: Obj[] = pod.spec?.initContainers ?? [];
  // Sidecars (restartable init containers) run alongside the app containers.
  for (const sidecar of initContainers.filter(
    c => c.restartPolicy === 'Always',
  )) {
    add(parseList(sidecar.resources?.[field]));
  }
  for (const init of initContainers.filter(c => c.restartPolicy !== 'Always')) {
    for (const [name, q] of Object.entries(
      parseList(init.resources?.[field]),
    )) {
      if (!total[name] || total[name].cmp(q) < 0) total[name] = q;
    }
  }
  for (const [name, q] of Object.entries(parseList(pod.spec?.overhead))) {
    total[name] = total[name] ? total[name].add(q) : q;
  }
  return total;
}

/**
 * LimitRanger's validation of a pod: min, max and maxLimitRequestRatio of
 * Container and Pod items. Returns the aggregated error kube-apiserver puts
 * after `pods "x" is forbidden: `, or undefined.
 */
export function limitRangerValidatePod(
  pod: Obj,
  limitRanges: Obj[],
): string | undefined {
  for (const limitRange of limitRanges) {
    const errors: string[] = [];
    for (const item of limitRange.spec?.limits ?? []) {
      if (item.type === CONTAINER) {
        for (const container of [
          ...(pod.spec?.containers ?? []),
          ...(pod.spec?.initContainers ?? []),
        ]) {
          errors.push(
            ...checkItem(
              item,
              CONTAINER,
              parseList(container.resources?.requests),
              parseList(container.resources?.limits),
            ),
          );
        }
      } else if (item.type === 'Pod') {
        errors.push(
          ...checkItem(
            item,
            'Pod',
            podResources(pod, 'requests'),
            podResources(pod, 'limits'),
          ),
        );
      }
    }
    if (errors.length) return aggregate(errors);
  }
  return undefined;
}

/** LimitRanger's validation of a PersistentVolumeClaim's storage request. */
export function limitRangerValidateClaim(
  claim: Obj,
  limitRanges: Obj[],
): string | undefined {
  for (const limitRange of limitRanges) {
    const errors: string[] = [];
    const requests = parseList(claim.spec?.resources?.requests);
    for (const item of limitRange.spec?.limits ?? []) {
      if (item.type !== 'PersistentVolumeClaim') continue;
      const type = 'PersistentVolumeClaim';
      for (const name of sortedKeys(item.min)) {
        const error = minConstraint(
          type,
          name,
          Quantity.parse(item.min[name]),
          requests,
          {},
        );
        if (error) errors.push(error);
      }
      for (const name of sortedKeys(item.max)) {
        const enforced = Quantity.parse(item.max[name]);
        const request = requests[name];
        if (!request)
          errors.push(
            `maximum ${name} usage per ${type} is ${enforced}.  No request is specified`,
          );
        else if (request.cmp(enforced) > 0)
          errors.push(
            `maximum ${name} usage per ${type} is ${enforced}, but request is ${request}`,
          );
      }
    }
    if (errors.length) return aggregate(errors);
  }
  return undefined;
}

/** Identifies the kind of object being counted: `{ group: 'apps', resource: 'deployments' }`. */
export interface QuotaTarget {
  group: string;
  resource: string;
}

const one = () => Quantity.fromValue(1);
const STORAGE_CLASS_SUFFIX = '.storageclass.storage.k8s.io/';
/** Resources whose presence quota demands on every container. */
const CONTAINER_TRACKED = [
  'cpu',
  'limits.cpu',
  'limits.memory',
  'memory',
  'requests.cpu',
  'requests.memory',
];

/** A pod still counts for compute quota unless it finished or its deletion grace expired. */
function podIsActive(pod: Obj, now: Date): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  const deletion = pod.metadata?.deletionTimestamp;
  const grace = pod.metadata?.deletionGracePeriodSeconds;
  if (deletion && grace !== undefined && grace !== null) {
    return now.getTime() <= Date.parse(deletion) + grace * 1000;
  }
  return true;
}

function podComputeUsage(
  requests: ResourceList,
  limits: ResourceList,
): ResourceList {
  const usage: ResourceList = { pods: one() };
  for (const name of ['cpu', 'memory', 'ephemeral-storage']) {
    if (requests[name]) {
      usage[name] = requests[name];
      usage[`requests.${name}`] = requests[name];
    }
    if (limits[name]) usage[`limits.${name}`] = limits[name];
  }
  for (const [name, q] of Object.entries(requests)) {
    if (name.startsWith('hugepages-')) {
      usage[name] = q;
      usage[`requests.${name}`] = q;
    } else if (name.includes('/') && !name.startsWith('kubernetes.io/')) {
      usage[`requests.${name}`] = q;
    }
  }
  return usage;
}

/** The quota usage one object contributes (the evaluators' Usage). */
export function quotaUsage(
  target: QuotaTarget,
  obj: Obj,
  now: Date = new Date(),
): ResourceList {
  const countName = target.group
    ? `count/${target.resource}.${target.group}`
    : `count/${target.resource}`;
  const usage: ResourceList = { [countName]: one() };
  if (target.group) return usage;
  switch (target.resource) {
    case 'pods':
      if (podIsActive(obj, now)) {
        Object.assign(
          usage,
          podComputeUsage(
            podResources(obj, 'requests'),
            podResources(obj, 'limits'),
          ),
        );
      }
      return usage;
    case 'services': {
      const ports: Obj[] = obj.spec?.ports ?? [];
      usage.services = one();
      usage['services.loadbalancers'] = Quantity.zero();
      usage['services.nodeports'] = Quantity.zero();
      if (obj.spec?.type === 'NodePort')
        usage['services.nodeports'] = Quantity.fromValue(ports.length);
      if (obj.spec?.type === 'LoadBalancer') {
        const nodePorts =
          obj.spec?.allocateLoadBalancerNodePorts === false
            ? ports.filter(p => p.nodePort).length
            : ports.length;
        usage['services.nodeports'] = Quantity.fromValue(nodePorts);
        usage['services.loadbalancers'] = one();
      }
      return usage;
    }
    case 'persistentvolumeclaims': {
      usage.persistentvolumeclaims = one();
      const storageClass =
        obj.metadata?.annotations?.[
          'volume.beta.kubernetes.io/storage-class'
        ] ??
        obj.spec?.storageClassName ??
        '';
      if (storageClass)
        usage[`${storageClass}${STORAGE_CLASS_SUFFIX}persistentvolumeclaims`] =
          one();
      const requested = Quantity.tryParse(
        obj.spec?.resources?.requests?.storage,
      );
      const allocated = Quantity.tryParse(
        obj.status?.allocatedResources?.storage,
      );
      const storage =
        requested && allocated && allocated.cmp(requested) > 0
          ? allocated
          : requested ?? allocated;
      if (storage) {
        usage['requests.storage'] = storage;
        if (storageClass)
          usage[`${storageClass}${STORAGE_CLASS_SUFFIX}requests.storage`] =
            storage;
      }
      return usage;
    }
    case 'configmaps':
    case 'secrets':
    case 'replicationcontrollers':
    case 'resourcequotas':
      usage[target.resource] = one();
      return usage;
    default:
      return usage;
  }
}

function isBestEffort(pod: Obj): boolean {
  return [
    ...(pod.spec?.containers ?? []),
    ...(pod.spec?.initContainers ?? []),
  ].every((c: Obj) =>
    ['requests', 'limits'].every(
      field => !c.resources?.[field]?.cpu && !c.resources?.[field]?.memory,
    ),
  );
}

/** Does a quota with scopes apply to this object? Only pods can match scopes. */
export function quotaMatchesScopes(
  quota: Obj,
  target: QuotaTarget,
  obj: Obj,
): boolean {
  const scopes: { scopeName: string; operator: string; values?: string[] }[] = [
    ...(quota.spec?.scopes ?? []).map((scopeName: string) => ({
      scopeName,
      operator: 'Exists',
    })),
    ...(quota.spec?.scopeSelector?.matchExpressions ?? []),
  ];
  if (!scopes.length) return true;
  if (target.group || target.resource !== 'pods') return false;
  return scopes.every(({ scopeName, operator, values }) => {
    const deadline = obj.spec?.activeDeadlineSeconds;
    const terminating =
      deadline !== undefined && deadline !== null && deadline >= 0;
    let matches: boolean;
    switch (scopeName) {
      case 'Terminating':
        matches = terminating;
        break;
      case 'NotTerminating':
        matches = !terminating;
        break;
      case 'BestEffort':
        matches = isBestEffort(obj);
        break;
      case 'NotBestEffort':
        matches = !isBestEffort(obj);
        break;
      case 'PriorityClass': {
        const name = obj.spec?.priorityClassName ?? '';
        if (operator === 'In') return (values ?? []).includes(name);
        if (operator === 'NotIn') return !(values ?? []).includes(name);
        if (operator === 'DoesNotExist') return !name;
        return !!name;
      }
      default:
        return false;
    }
    return operator === 'DoesNotExist' ? !matches : matches;
  });
}

const formatList = (list: ResourceList) =>
  Object.keys(list)
    .sort()
    .map(name => `${name}=${list[name]}`)
    .join(',');

/**
 * A quota's `status.used`: the usage of every object in its namespace,
 * restricted to the resources it limits (what the quota controller writes).
 */
export function computeQuotaUsed(
  quota: Obj,
  objects: { target: QuotaTarget; object: Obj }[],
  now: Date = new Date(),
): Record<string, string> {
  const hard = Object.keys(quota.spec?.hard ?? {});
  const used: ResourceList = Object.fromEntries(
    hard.map(name => [name, Quantity.zero()]),
  );
  for (const { target, object } of objects) {
    if (object.metadata?.namespace !== quota.metadata?.namespace) continue;
    if (!quotaMatchesScopes(quota, target, object)) continue;
    for (const [name, q] of Object.entries(quotaUsage(target, object, now))) {
      if (name in used) used[name] = used[name].add(q);
    }
  }
  return Object.fromEntries(
    Object.entries(used).map(([name, q]) => [name, q.toString()]),
  );
}

/**
 * ResourceQuota admission for a create (or, with `oldObj`, an update): pods
 * must set requests/limits for tracked cpu and memory, and the object's usage
 * added to each quota's used amount may not exceed its hard limits. Returns
 * the error text (`failed quota: …` or `exceeded quota: q, requested: …,
 * used: …, limited: …`), or the quotas' new used amounts when admitted.
 */
export function checkResourceQuota(
  quotas: Obj[],
  target: QuotaTarget,
  obj: Obj,
  oldObj?: Obj,
  now: Date = new Date(),
): { error: string } | { used: Record<string, Record<string, string>> } {
  const applicable = quotas.filter(q => quotaMatchesScopes(q, target, obj));
  if (!target.group && target.resource === 'pods') {
    for (const quota of applicable) {
      const required = Object.keys(quota.spec?.hard ?? {}).filter(name =>
        CONTAINER_TRACKED.includes(name),
      );
      if (!required.length) continue;
      const missing = new Map<string, string[]>();
      for (const container of [
        ...(obj.spec?.containers ?? []),
        ...(obj.spec?.initContainers ?? []),
      ]) {
        const usage = podComputeUsage(
          parseList(container.resources?.requests),
          parseList(container.resources?.limits),
        );
        for (const name of required) {
          if (!usage[name])
            missing.set(name, [...(missing.get(name) ?? []), container.name]);
        }
      }
      if (missing.size) {
        const details = [...missing.keys()]
          .sort()
          .map(
            name =>
              `${name} for: ${[...new Set(missing.get(name))]
                .sort()
                .join(',')}`,
          );
        return {
          error: `failed quota: ${
            quota.metadata?.name
          }: must specify ${details.join('; ')}`,
        };
      }
    }
  }
  let delta = quotaUsage(target, obj, now);
  if (oldObj) {
    const previous = quotaUsage(target, oldObj, now);
    delta = Object.fromEntries(
      Object.entries(delta)
        .map(
          ([name, q]) =>
            [name, previous[name] ? q.sub(previous[name]) : q] as const,
        )
        .filter(([, q]) => q.cmp(Quantity.zero()) > 0),
    );
    if (!Object.keys(delta).length) return { used: {} };
  }
  const newUsed: Record<string, Record<string, string>> = {};
  for (const quota of applicable) {
    const hard = parseList(quota.status?.hard ?? quota.spec?.hard);
    const used = parseList(quota.status?.used);
    const requested: ResourceList = {};
    for (const name of Object.keys(hard))
      if (delta[name]) requested[name] = delta[name];
    if (!Object.keys(requested).length) continue;
    const exceeded = Object.keys(requested).filter(
      name =>
        (used[name] ?? Quantity.zero()).add(requested[name]).cmp(hard[name]) >
        0,
    );
    if (exceeded.length) {
      const pick = (list: ResourceList) =>
        Object.fromEntries(
          exceeded.map(name => [name, list[name] ?? Quantity.zero()]),
        );
      return {
        error: `exceeded quota: ${
          quota.metadata?.name
        }, requested: ${formatList(pick(requested))}, used: ${formatList(
          pick(used),
        )}, limited: ${formatList(pick(hard))}`,
      };
    }
    newUsed[quota.metadata?.name] = Object.fromEntries(
      Object.keys(hard).map(name => [
        name,
        (used[name] ?? Quantity.zero())
          .add(requested[name] ?? Quantity.zero())
          .toString(),
      ]),
    );
  }
  return { used: newUsed };
}

/** The namespace annotation PodNodeSelector reads. */
export const NODE_SELECTOR_ANNOTATION =
  'scheduler.alpha.kubernetes.io/node-selector';

/** Parses `a=b,c=d` as labels.ConvertSelectorToLabelsMap does. */
function selectorToMap(selector: string): Record<string, string> {
  const map: Record<string, string> = {};
  if (!selector) return map;
  for (const label of selector.split(',')) {
    const parts = label.split('=');
    if (parts.length !== 2)
      throw new Error(`invalid selector: [${parts.join(' ')}]`);
    const [key, value] = parts.map(p => p.trim());
    // Reuse the selector parser for its key and value validation messages.
    parseLabelSelector(`${key}=${value}`);
    map[key] = value;
  }
  return map;
}

/**
 * PodNodeSelector on pod create: merges the namespace's
 * `scheduler.alpha.kubernetes.io/node-selector` into the pod's nodeSelector
 * (the pod's own entries win), and refuses a pod whose selector gives a
 * different value for a namespace key. Returns the new pod or the error.
 */
export function podNodeSelectorAdmit<T extends Obj>(
  pod: T,
  namespace: Obj,
): { pod: T } | { error: string } {
  const annotation =
    namespace.metadata?.annotations?.[NODE_SELECTOR_ANNOTATION];
  if (annotation === undefined) return { pod };
  let namespaceSelector: Record<string, string>;
  try {
    namespaceSelector = selectorToMap(annotation);
  } catch (e) {
    return { error: (e as Error).message };
  }
  const podSelector: Record<string, string> = pod.spec?.nodeSelector ?? {};
  for (const [key, value] of Object.entries(namespaceSelector)) {
    if (key in podSelector && podSelector[key] !== value) {
      return {
        error:
          'pod node label selector conflicts with its namespace node label selector',
      };
    }
  }
  return {
    pod: {
      ...pod,
      spec: {
        ...(pod.spec ?? {}),
        nodeSelector: { ...namespaceSelector, ...podSelector },
      },
    },
  };
}
