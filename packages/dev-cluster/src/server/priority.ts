import type { ObjectStore } from '../store/objectStore';
import type { KubeObject } from '../store/types';
import type { AdmissionPlugin, AdmissionRequest } from './admission';
import type { ResourceRegistry, ResourceType } from './registry';
import {
  groupResource,
  RequestContext,
  ResourceService,
  Validator,
} from './resources';
import { forbidden } from './status';

/*
 * Pod priority as kube-apiserver serves it: scheduling.k8s.io/v1
 * PriorityClasses with the two built-in system classes, their validation,
 * and the Priority admission plugin that resolves a pod's
 * priorityClassName into spec.priority and spec.preemptionPolicy.
 */

const GROUP = 'scheduling.k8s.io';
const STORAGE = `${GROUP}/priorityclasses`;

/** User-defined classes may not go above this; the system classes do. */
const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
const SYSTEM_PREFIX = 'system-';

/** The classes kube-apiserver creates at start-up. */
const SYSTEM_PRIORITY_CLASSES = [
  {
    name: 'system-node-critical',
    value: 2_000_001_000,
    description:
      'Used for system critical pods that must not be moved from their current node.',
  },
  {
    name: 'system-cluster-critical',
    value: 2_000_000_000,
    description:
      'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
  },
];

const BOOTSTRAP: RequestContext = {
  user: { username: 'system:apiserver', groups: ['system:masters'] },
  dryRun: false,
};

/** Creates the system priority classes that are missing (a persisted cluster keeps its own). */
export function bootstrapPriorityClasses(
  registry: ResourceRegistry,
  resources: ResourceService,
): void {
  const type = registry.find(GROUP, 'v1', 'priorityclasses')!;
  for (const { name, value, description } of SYSTEM_PRIORITY_CLASSES) {
    if (resources.store.get(STORAGE, name)) continue;
    resources.create(
      type,
      '',
      {
        metadata: { name },
        value,
        description,
        preemptionPolicy: 'PreemptLowerPriority',
      },
      BOOTSTRAP,
    );
  }
}

/** Why a `system-` class is not one of the built-in ones, if it is not. */
function systemClassError(
  name: string,
  value: number,
  isGlobalDefault: boolean,
): string | undefined {
  const system = SYSTEM_PRIORITY_CLASSES.find(c => c.name === name);
  if (!system) return `${name} is not a known system priority class`;
  if (system.value !== value)
    return `value of ${name} PriorityClass must be ${system.value}`;
  if (isGlobalDefault)
    return `globalDefault of ${name} PriorityClass must be false`;
  return undefined;
}

const isPriorityClasses = (type: ResourceType) =>
  type.group === GROUP && type.plural === 'priorityclasses';

/**
 * PriorityClass validation: names with the `system-` prefix are reserved for
 * the built-in classes, user classes stay at or below 1,000,000,000, and
 * value and preemptionPolicy never change.
 */
export const priorityClassValidator: Validator = (type, object, oldObject) => {
  if (!isPriorityClasses(type)) return [];
  const pc = object as any;
  const name: string = pc.metadata?.name ?? '';
  const causes = [];
  if (name.startsWith(SYSTEM_PREFIX)) {
    const error = systemClassError(name, pc.value, Boolean(pc.globalDefault));
    if (error) {
      causes.push({
        reason: 'FieldValueForbidden',
        field: 'metadata.name',
        message: `Forbidden: priority class names with '${SYSTEM_PREFIX}' prefix are reserved for system use only. error: ${error}`,
      });
    }
  } else if (pc.value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    causes.push({
      reason: 'FieldValueForbidden',
      field: 'value',
      message: `Forbidden: maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`,
    });
  }
  const old = oldObject as any;
  if (old && old.value !== pc.value) {
    causes.push({
      reason: 'FieldValueForbidden',
      field: 'value',
      message: 'Forbidden: may not be changed in an update.',
    });
  }
  if (old && old.preemptionPolicy !== pc.preemptionPolicy) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'preemptionPolicy',
      message: `Invalid value: "${pc.preemptionPolicy}": field is immutable`,
    });
  }
  return causes;
};

function reject(request: AdmissionRequest, message: string): never {
  throw forbidden(
    groupResource(request.type),
    request.name || undefined,
    message,
  );
}

/** The global default class with the highest value, as the plugin picks it. */
function globalDefault(store: ObjectStore, except?: string): any {
  let best: any;
  for (const pc of store.list(STORAGE).items as any[]) {
    if (!pc.globalDefault || pc.metadata.name === except) continue;
    if (!best || pc.value > best.value) best = pc;
  }
  return best;
}

/**
 * The Priority admission plugin: on pod creation, spec.priority and
 * spec.preemptionPolicy come from the named PriorityClass (or the global
 * default, or 0 and PreemptLowerPriority); a pod may not name another value.
 * Only one PriorityClass may be the global default, and the system classes
 * may not be deleted.
 */
export function priorityAdmission(store: ObjectStore): AdmissionPlugin {
  return {
    name: 'Priority',
    phase: 'mutating',
    admit(request) {
      if (request.subresource !== '') return undefined;
      if (
        request.operation === 'DELETE' &&
        isPriorityClasses(request.type) &&
        SYSTEM_PRIORITY_CLASSES.some(c => c.name === request.name)
      ) {
        reject(
          request,
          'this is a system priority class and cannot be deleted',
        );
      }
      if (!request.object) return undefined;
      if (isPriorityClasses(request.type)) {
        const pc = request.object as any;
        if (!pc.globalDefault) return undefined;
        const existing = globalDefault(store, pc.metadata?.name);
        if (existing) {
          reject(
            request,
            `PriorityClass ${existing.metadata.name} is already marked as default. Only one default can exist`,
          );
        }
        return undefined;
      }
      if (request.type.group !== '' || request.type.plural !== 'pods')
        return undefined;
      const spec = ((request.object as any).spec ??= {});
      if (request.operation === 'UPDATE') {
        // Set once on creation; an update that leaves them out keeps them.
        const old = (request.oldObject as any)?.spec ?? {};
        spec.priority ??= old.priority;
        spec.preemptionPolicy ??= old.preemptionPolicy;
        return request.object;
      }
      if (request.operation !== 'CREATE') return undefined;
      let priority = 0;
      let preemptionPolicy: string | undefined = 'PreemptLowerPriority';
      if (spec.priorityClassName) {
        const pc = store.get(STORAGE, spec.priorityClassName) as any;
        if (!pc) {
          reject(
            request,
            `no PriorityClass with name ${spec.priorityClassName} was found`,
          );
        }
        priority = pc.value;
        preemptionPolicy = pc.preemptionPolicy;
      } else {
        const pc = globalDefault(store);
        if (pc) {
          spec.priorityClassName = pc.metadata.name;
          priority = pc.value;
          preemptionPolicy = pc.preemptionPolicy;
        }
      }
      if (spec.priority !== undefined && spec.priority !== priority) {
        reject(
          request,
          `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`,
        );
      }
      spec.priority = priority;
      if (preemptionPolicy) {
        if (
          spec.preemptionPolicy !== undefined &&
          spec.preemptionPolicy !== preemptionPolicy
        ) {
          reject(
            request,
            `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${preemptionPolicy} from the given PriorityClass name`,
          );
        }
        spec.preemptionPolicy = preemptionPolicy;
      }
      return request.object as KubeObject;
    },
  };
}
