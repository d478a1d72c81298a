import { FieldError, fieldErrorBody } from '../machinery/errors';
import { fieldSelectorMatcher } from '../machinery/fields';
import {
  matchesLabelRequirements,
  parseLabelSelector,
  SelectorParseError,
} from '../machinery/labels';
import {
  aggregateClusterRoles,
  authorize,
  bootstrapClusterRoleBindings,
  bootstrapClusterRoles,
  RbacObjects,
  reviewRules,
} from '../machinery/rbac';
import {
  applySchemaDefaults,
  pruneUnknownFields,
  StructuralSchema,
  validateAgainstSchema,
} from '../machinery/schema';
import { PatchError, strategicMergePatch } from '../machinery/strategicMerge';
import {
  applyDefaults,
  validateCreate,
  validatePodEphemeralContainersUpdate,
  validatePodStatusUpdate,
  validateUpdate,
} from '../machinery/validation';
import type { ObjectStore } from '../store/objectStore';
import type { KubeObject } from '../store/types';
import type { SelectorCompiler } from './apiServer';
import { Authorizer, toRbacRequest } from './authorization';
import { defaultBuiltinRemainder } from './defaults';
import type { StrategicMergePatcher } from './patch';
import type { ResourceRegistry } from './registry';
import type {
  Defaulter,
  RequestContext,
  ResourceService,
  Validator,
} from './resources';
import type { RulesResolver } from './reviews';
import { ApiError, badRequest, StatusCause } from './status';

/*
 * The machinery module (selectors, strategic merge patch, validation and
 * defaulting, CRD structural schemas, RBAC) adapted to the server's seams:
 * its field errors become Status causes, its Status errors ApiErrors.
 */

function rethrow(e: unknown): never {
  if (e instanceof SelectorParseError) throw badRequest(e.message);
  if (e instanceof PatchError) throw ApiError.fromStatus(e.status);
  throw e;
}

export const machinerySelectors: SelectorCompiler = {
  labelSelector(selector) {
    try {
      const requirements = parseLabelSelector(selector);
      return labels => matchesLabelRequirements(requirements, labels);
    } catch (e) {
      return rethrow(e);
    }
  },
  fieldSelector(type, selector) {
    try {
      const matches = fieldSelectorMatcher(
        {
          group: type.group,
          resource: type.plural,
          selectableFields: type.custom?.selectableFields,
        },
        selector,
      );
      return object => matches(object as any);
    } catch (e) {
      return rethrow(e);
    }
  },
};

export const machineryStrategicMergePatch: StrategicMergePatcher = (
  original,
  patch,
  gvk,
) => {
  try {
    return strategicMergePatch(original, patch, gvk.group, gvk.kind);
  } catch (e) {
    return rethrow(e);
  }
};

function causes(errors: readonly FieldError[]): StatusCause[] {
  return errors.map(error => ({
    reason: error.type,
    message: fieldErrorBody(error),
    field: error.field,
  }));
}

/**
 * Defaulting: the built-in kinds' defaults, and for custom resources the
 * structural schema's pruning of unknown fields and its defaults.
 */
export const machineryDefaulter: Defaulter = (type, object, ctx) => {
  if (!type.custom) {
    const defaulted = applyDefaults(object) as KubeObject;
    defaultBuiltinRemainder(type.group, type.plural, defaulted);
    return defaulted;
  }
  const schema = type.custom.schema as StructuralSchema | undefined;
  if (!schema) return object;
  const { object: pruned, pruned: unknown } = pruneUnknownFields(
    object,
    schema,
  );
  reportUnknownFields(type.kind, type.version, unknown, ctx);
  return applySchemaDefaults(pruned, schema) as KubeObject;
};

function reportUnknownFields(
  kind: string,
  version: string,
  unknown: string[],
  ctx: RequestContext,
) {
  if (!unknown.length || ctx.fieldValidation === 'Ignore') return;
  const text = unknown.map(f => `unknown field "${f}"`);
  if (ctx.fieldValidation === 'Strict') {
    throw badRequest(
      `${kind} in version "${version}" cannot be handled as a ${kind}: strict decoding error: ${text.join(
        ', ',
      )}`,
    );
  }
  (ctx.warnings ??= []).push(...text);
}

/** Validation of built-in kinds, object metadata, and custom resources against their schema. */
export const machineryValidator: Validator = (
  type,
  object,
  oldObject,
  subresource,
) => {
  const options = {
    namespaced: type.namespaced,
    customResource: !!type.custom,
  };
  let errors: FieldError[];
  if (!oldObject) errors = validateCreate(object, options);
  else if (subresource === 'ephemeralcontainers')
    // The one way to change a pod's ephemeral containers, with its own rules
    // instead of the pod update rules.
    errors = validatePodEphemeralContainersUpdate(object, oldObject);
  else if (
    subresource === 'status' &&
    type.group === '' &&
    type.plural === 'pods'
  )
    errors = validatePodStatusUpdate(object, oldObject);
  else errors = validateUpdate(object, oldObject, options);
  const schema = type.custom?.schema as StructuralSchema | undefined;
  if (schema) errors.push(...validateAgainstSchema(object, schema));
  return causes(errors);
};

const RBAC_RESOURCES = {
  roles: 'rbac.authorization.k8s.io/roles',
  clusterRoles: 'rbac.authorization.k8s.io/clusterroles',
  roleBindings: 'rbac.authorization.k8s.io/rolebindings',
  clusterRoleBindings: 'rbac.authorization.k8s.io/clusterrolebindings',
};

/**
 * The RBAC objects of the store, re-read only after one of them changed
 * (with ClusterRole aggregation applied, as its controller would).
 */
class RbacSnapshot {
  private cached: RbacObjects | undefined;

  constructor(private readonly store: ObjectStore) {
    for (const resource of Object.values(RBAC_RESOURCES)) {
      store.watch(resource, {}, () => {
        this.cached = undefined;
      });
    }
  }

  get(): RbacObjects {
    if (!this.cached) {
      const list = (resource: string) =>
        this.store.list(resource).items as any[];
      this.cached = {
        roles: list(RBAC_RESOURCES.roles),
        clusterRoles: aggregateClusterRoles(list(RBAC_RESOURCES.clusterRoles)),
        roleBindings: list(RBAC_RESOURCES.roleBindings),
        clusterRoleBindings: list(RBAC_RESOURCES.clusterRoleBindings),
      };
    }
    return this.cached;
  }
}

export function rbacAuthorization(store: ObjectStore): {
  authorizer: Authorizer;
  rules: RulesResolver;
} {
  const snapshot = new RbacSnapshot(store);
  return {
    authorizer: {
      authorize(a) {
        const { user, attributes } = toRbacRequest(a);
        const decision = authorize(snapshot.get(), user, attributes);
        return {
          decision: decision.allowed ? 'Allow' : 'NoOpinion',
          reason: decision.reason,
        };
      },
    },
    rules: {
      rulesFor: (user, namespace) =>
        reviewRules(
          snapshot.get(),
          { name: user.username, groups: user.groups },
          namespace,
        ),
    },
  };
}

const BOOTSTRAP: RequestContext = {
  user: { username: 'system:apiserver', groups: ['system:masters'] },
  dryRun: false,
};

/** Creates the bootstrap ClusterRoles and ClusterRoleBindings that are missing. */
export function bootstrapRbac(
  registry: ResourceRegistry,
  resources: ResourceService,
): void {
  const group = 'rbac.authorization.k8s.io';
  const roles = registry.find(group, 'v1', 'clusterroles')!;
  const bindings = registry.find(group, 'v1', 'clusterrolebindings')!;
  for (const role of bootstrapClusterRoles()) {
    if (!resources.store.get(`${group}/clusterroles`, role.metadata!.name!)) {
      resources.create(roles, '', role, BOOTSTRAP);
    }
  }
  for (const binding of bootstrapClusterRoleBindings()) {
    if (
      !resources.store.get(
        `${group}/clusterrolebindings`,
        binding.metadata!.name!,
      )
    ) {
      resources.create(bindings, '', binding, BOOTSTRAP);
    }
  }
}
