import type { V1Container, V1Node, V1Pod } from '@kubernetes/client-node';
import { Quantity } from '../machinery/quantity';

/**
 * Amounts of resources as the scheduler counts them: cpu in millicores,
 * everything else (memory, ephemeral-storage, extended resources) in units.
 */
export type ResourceAmounts = Record<string, number>;

/*
 * Objects from the store carry a resourceVersion and are immutable (a write
 * stores a new object, sharing the parts it leaves alone), so what is
 * computed from one is computed once however
 * often the scheduler and the kubelets look at it; entries go with the
 * objects. Objects without a resourceVersion (built by callers, who may
 * change them) are not cached. Cached amounts are shared: callers must not
 * modify what they get.
 */
const requestsCache = new WeakMap<object, ResourceAmounts>();
const nonZeroRequestsCache = new WeakMap<object, ResourceAmounts>();
const allocatableCache = new WeakMap<V1Node, ResourceAmounts>();

function isStored(object: V1Pod | V1Node): boolean {
  return Boolean(object.metadata?.resourceVersion);
}

/** The requests the scheduler assumes for a container that sets none (for scoring only). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** Converts a quantity to the scheduler's integer unit for the resource. */
export function resourceAmount(resource: string, quantity: string): number {
  const parsed = Quantity.parse(quantity);
  return resource === 'cpu' ? parsed.milliValue() : parsed.value();
}

function toAmounts(list: Record<string, string> | undefined): ResourceAmounts {
  const amounts: ResourceAmounts = {};
  for (const [resource, quantity] of Object.entries(list ?? {})) {
    amounts[resource] = resourceAmount(resource, quantity);
  }
  return amounts;
}

function containerRequests(
  container: V1Container,
  nonZeroDefaults: boolean,
): ResourceAmounts {
  // The API server defaults a missing request to the limit; count pods that
  // bypassed defaulting the same way.
  const requests = {
    ...toAmounts(container.resources?.limits),
    ...toAmounts(container.resources?.requests),
  };
  if (nonZeroDefaults) {
    requests.cpu ??= DEFAULT_MILLI_CPU_REQUEST;
    requests.memory ??= DEFAULT_MEMORY_REQUEST;
  }
  return requests;
}

function add(into: ResourceAmounts, amounts: ResourceAmounts) {
  for (const [resource, amount] of Object.entries(amounts)) {
    into[resource] = (into[resource] ?? 0) + amount;
  }
}

function max(into: ResourceAmounts, amounts: ResourceAmounts) {
  for (const [resource, amount] of Object.entries(amounts)) {
    into[resource] = Math.max(into[resource] ?? 0, amount);
  }
}

/**
 * The resources a pod needs on a node, as kube-scheduler computes them: the sum
 * of its containers and restartable (sidecar) init containers, or the largest
 * init container plus the sidecars started before it if that is more, plus
 * `spec.overhead`. With `nonZeroDefaults`, containers without a cpu or memory
 * request count 100m and 200Mi (what the scoring plugins assume).
 */
export function podRequests(
  pod: V1Pod,
  options: { nonZeroDefaults?: boolean } = {},
): ResourceAmounts {
  const nonZero = options.nonZeroDefaults ?? false;
  // Requests depend on the spec alone, which status writes share between
  // versions of a pod.
  const spec = pod.spec;
  if (!spec || !isStored(pod)) return computePodRequests(pod, nonZero);
  const cache = nonZero ? nonZeroRequestsCache : requestsCache;
  let requests = cache.get(spec);
  if (!requests) {
    requests = computePodRequests(pod, nonZero);
    cache.set(spec, requests);
  }
  return requests;
}

function computePodRequests(pod: V1Pod, nonZero: boolean): ResourceAmounts {
  const total: ResourceAmounts = {};
  for (const container of pod.spec?.containers ?? []) {
    add(total, containerRequests(container, nonZero));
  }
  const sidecars: ResourceAmounts = {};
  const initPeak: ResourceAmounts = {};
  for (const container of pod.spec?.initContainers ?? []) {
    const requests = containerRequests(container, nonZero);
    if (container.restartPolicy === 'Always') {
      add(total, requests);
      add(sidecars, requests);
      max(initPeak, sidecars);
    } else {
      const running = { ...sidecars };
      add(running, requests);
      max(initPeak, running);
    }
  }
  max(total, initPeak);
  add(total, toAmounts(pod.spec?.overhead));
  return total;
}

/** A node's allocatable resources (capacity when allocatable is unset). */
export function nodeAllocatable(node: V1Node): ResourceAmounts {
  if (!isStored(node))
    return toAmounts(node.status?.allocatable ?? node.status?.capacity);
  let amounts = allocatableCache.get(node);
  if (!amounts) {
    amounts = toAmounts(node.status?.allocatable ?? node.status?.capacity);
    allocatableCache.set(node, amounts);
  }
  return { ...amounts };
}
