import { randomUUID } from 'node:crypto';
import { ObjectStore, objectKey } from '../store/objectStore';
import { StoreError } from '../store/errors';
import type { KubeObject, ObjectMeta } from '../store/types';
import type {
  AdmissionPhase,
  AdmissionPlugin,
  AdmissionRequest,
} from './admission';
import type { UserInfo } from './authentication';
import { recordUpdate } from './apply';
import { CustomResourceConversion } from './conversion';
import { modelNameForType, pruneUnknownFields } from './builtinSchemas';
import { defaultNamespace, initialStatus } from './defaults';
import { decodeContinue, encodeContinue } from './listOptions';
import {
  deepClone,
  generateNameSuffix,
  isPlainObject,
  jsonEqual,
  specChanged,
  storedEqual,
  timestamp,
  withTypeMeta,
} from './objects';
import {
  apiVersionOf,
  hasSubresource,
  ResourceType,
  storageKey,
} from './registry';
import {
  alreadyExists,
  ApiError,
  badRequest,
  conflict,
  expired,
  forbidden,
  GroupResource,
  invalid,
  notFound,
  OBJECT_MODIFIED,
  StatusCause,
  success,
  Status,
} from './status';

/*
 * The generic registry of kube-apiserver (k8s.io/apiserver registry/generic):
 * object lifecycle rules shared by every resource — names, uids, generation,
 * optimistic concurrency, status subresources, finalizers and graceful
 * deletion, dry run — on top of the ObjectStore. Transport-free: the HTTP
 * layer calls it with parsed input and writes out what it returns or throws.
 */

export interface RequestContext {
  user: UserInfo;
  dryRun: boolean;
  /** What to do with fields a built-in type does not have (default Warn; they are dropped unless Strict rejects). */
  fieldValidation?: 'Ignore' | 'Warn' | 'Strict';
  /** Warnings for the response's Warning headers. */
  warnings?: string[];
  /** Who makes the change, for metadata.managedFields (default: the user name). */
  fieldManager?: string;
  /** Set by server-side apply, which records its own managedFields. */
  applied?: boolean;
}

/** Validates an object about to be stored; returns the causes of an Invalid error. */
export type Validator = (
  type: ResourceType,
  object: KubeObject,
  oldObject: KubeObject | undefined,
  /** The subresource an update is written through ('' for the object itself). */
  subresource: string,
) => StatusCause[];

/** Fills in the defaults of a built-in or custom type (in place). */
export type Defaulter = (
  type: ResourceType,
  object: KubeObject,
  ctx: RequestContext,
) => KubeObject;

export interface ListQuery {
  namespace?: string;
  limit?: number;
  continueToken?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
  filter?: (object: KubeObject) => boolean;
}

export interface ListOutcome {
  items: KubeObject[];
  metadata: {
    resourceVersion: string;
    continue?: string;
    remainingItemCount?: number;
  };
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export type DeleteOutcome =
  | { kind: 'object'; object: KubeObject; code: 200 | 202 }
  | { kind: 'status'; status: Status };

/** Types whose DELETE answers with the deleted object rather than a Status. */
const RETURNS_DELETED_OBJECT = new Set(['/pods', '/namespaces']);

export function groupResource(type: ResourceType): GroupResource {
  return { group: type.group, resource: type.plural };
}

function isCoreNamespace(type: ResourceType): boolean {
  return type.group === '' && type.plural === 'namespaces';
}

function keyOf(type: ResourceType, namespace: string, name: string): string {
  return objectKey(type.namespaced ? namespace : undefined, name);
}

function storeFailure(e: unknown, type: ResourceType, name: string): never {
  if (e instanceof StoreError) {
    switch (e.code) {
      case 'NotFound':
        throw notFound(groupResource(type), name);
      case 'Exists':
        throw alreadyExists(groupResource(type), name);
      case 'Conflict':
        throw conflict(groupResource(type), name, OBJECT_MODIFIED);
      case 'TooOld':
        throw expired(e.message);
      default:
    }
  }
  throw e;
}

/** Request bodies decoded for one request and used by nothing else. */
const ownedBodies = new WeakSet<object>();

/**
 * Marks a freshly decoded request body as the request's own: `decode` may
 * then take it as the new object instead of copying it (callers must not
 * use the body afterwards). Other callers' objects are always copied.
 */
export function ownedBody<T>(body: T): T {
  if (body !== null && typeof body === 'object') ownedBodies.add(body);
  return body;
}

export class ResourceService {
  private readonly admission: AdmissionPlugin[] = [];
  private readonly validators: Validator[] = [];
  private readonly defaulters: Defaulter[] = [];
  /** Converters of custom resources whose CRDs convert by webhook. */
  readonly conversion = new CustomResourceConversion();

  constructor(readonly store: ObjectStore) {}

  addAdmissionPlugin(plugin: AdmissionPlugin): void {
    this.admission.push(plugin);
  }

  addValidator(validator: Validator): void {
    this.validators.push(validator);
  }

  addDefaulter(defaulter: Defaulter): void {
    this.defaulters.push(defaulter);
  }

  /** The 409 of a write based on an outdated resourceVersion. */
  conflictFor(type: ResourceType, name: string): ApiError {
    return conflict(groupResource(type), name, OBJECT_MODIFIED);
  }

  /** Records who set which fields (metadata.managedFields), as every write does. */
  private trackManagedFields(
    type: ResourceType,
    previous: KubeObject | undefined,
    next: KubeObject,
    subresource: string,
    ctx: RequestContext,
  ) {
    if (ctx.applied || subresource !== '') return;
    const managedFields = recordUpdate(
      previous,
      next,
      ctx.fieldManager ?? ctx.user.username,
      apiVersionOf(type),
    );
    if (managedFields.length) next.metadata.managedFields = managedFields;
    else delete next.metadata.managedFields;
  }

  private applyDefaults(
    type: ResourceType,
    object: KubeObject,
    ctx: RequestContext,
  ): KubeObject {
    let result = object;
    for (const defaulter of this.defaulters)
      result = defaulter(type, result, ctx);
    return result;
  }

  get(type: ResourceType, namespace: string, name: string): KubeObject {
    const object = this.store.get(
      storageKey(type),
      keyOf(type, namespace, name),
    );
    if (!object) throw notFound(groupResource(type), name);
    return object;
  }

  list(type: ResourceType, query: ListQuery): ListOutcome {
    let atResourceVersion: number | undefined;
    let startAfter: string | undefined;
    if (query.continueToken) {
      if (query.resourceVersion) {
        throw badRequest(
          'specifying resource version is not allowed when using continue',
        );
      }
      const token = decodeContinue(query.continueToken);
      atResourceVersion = token.resourceVersion;
      startAfter = token.startAfter;
    } else if (query.resourceVersionMatch) {
      if (!query.resourceVersion) {
        throw badRequest(
          'resourceVersionMatch is forbidden unless resourceVersion is provided',
        );
      }
      if (query.resourceVersionMatch === 'Exact') {
        atResourceVersion = Number(query.resourceVersion);
        if (atResourceVersion > this.store.resourceVersion) {
          throw new ApiError(
            504,
            'Timeout',
            `Too large resource version: ${atResourceVersion}, current: ${this.store.resourceVersion}`,
            {
              causes: [
                {
                  reason: 'ResourceVersionTooLarge',
                  message: 'Too large resource version',
                },
              ],
              retryAfterSeconds: 1,
            },
          );
        }
      } else if (query.resourceVersionMatch !== 'NotOlderThan') {
        throw badRequest(
          `resourceVersionMatch: Unsupported value: "${query.resourceVersionMatch}": supported values: "Exact", "NotOlderThan"`,
        );
      }
    }
    let result;
    try {
      result = this.store.list(storageKey(type), {
        namespace:
          type.namespaced && query.namespace ? query.namespace : undefined,
        startAfter,
        limit: query.limit,
        atResourceVersion,
        filter: query.filter,
      });
    } catch (e) {
      if (
        e instanceof StoreError &&
        e.code === 'TooOld' &&
        query.continueToken
      ) {
        throw expired(
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue value from the response.',
        );
      }
      return storeFailure(e, type, '');
    }
    const metadata: ListOutcome['metadata'] = {
      resourceVersion: String(result.resourceVersion),
    };
    if (result.lastKey !== undefined) {
      metadata.continue = encodeContinue({
        resourceVersion: result.resourceVersion,
        startAfter: result.lastKey,
      });
      if (result.remaining !== undefined)
        metadata.remainingItemCount = result.remaining;
    }
    return { items: result.items, metadata };
  }

  /** NamespaceLifecycle: namespaced writes need an existing, non-terminating namespace. */
  private checkNamespace(
    type: ResourceType,
    namespace: string,
    name: string,
    creating: boolean,
  ) {
    if (!type.namespaced) return;
    const ns = this.store.get('/namespaces', namespace);
    if (!ns) throw notFound({ group: '', resource: 'namespaces' }, namespace);
    if (creating && ns.metadata.deletionTimestamp) {
      const message = `unable to create new content in namespace ${namespace} because it is being terminated`;
      const error = forbidden(groupResource(type), name, message);
      error.status.details!.causes = [
        {
          reason: 'NamespaceTerminating',
          message,
          field: 'metadata.namespace',
        },
      ];
      throw error;
    }
  }

  /**
   * Runs the admission plugins of one phase; mutating ones may return a
   * changed object, which the following plugins and the write then use.
   */
  private admit(
    phase: AdmissionPhase,
    request: Omit<AdmissionRequest, 'user' | 'dryRun'>,
    ctx: RequestContext,
  ): KubeObject | undefined {
    let object = request.object;
    for (const plugin of this.admission) {
      if (plugin.phase !== phase) continue;
      const result = plugin.admit({
        ...request,
        object,
        user: ctx.user,
        dryRun: ctx.dryRun,
      });
      if (result && phase === 'mutating') object = result;
    }
    return object;
  }

  private validate(
    type: ResourceType,
    object: KubeObject,
    oldObject: KubeObject | undefined,
    subresource = '',
  ) {
    const causes: StatusCause[] = [];
    const name = object.metadata.name ?? '';
    if (!name) {
      causes.push({
        reason: 'FieldValueRequired',
        message: 'Required value: name or generateName is required',
        field: 'metadata.name',
      });
    }
    for (const validator of this.validators)
      causes.push(...validator(type, object, oldObject, subresource));
    if (causes.length) throw invalid(type, name, causes);
  }

  /**
   * The body as an object of `type`, with kind and apiVersion checked and set
   * (then converted to the storage version if the CRD converts by webhook).
   */
  decode(
    type: ResourceType,
    body: unknown,
    namespace: string,
    ctx: RequestContext,
  ): KubeObject {
    if (!isPlainObject(body)) {
      throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(body)}'`);
    }
    const apiVersion = apiVersionOf(type);
    if (body.apiVersion !== undefined && body.apiVersion !== apiVersion) {
      throw badRequest(
        `the API version in the data (${body.apiVersion}) does not match the expected API version (${apiVersion})`,
      );
    }
    if (body.kind !== undefined && body.kind !== type.kind) {
      throw badRequest(
        `${body.kind} in version "${type.version}" cannot be handled as a ${type.kind}: no kind "${body.kind}" is registered for version "${apiVersion}"`,
      );
    }
    if (body.metadata !== undefined && !isPlainObject(body.metadata)) {
      throw badRequest(
        `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: metadata must be an object`,
      );
    }
    const object = withTypeMeta(
      ownedBodies.has(body) ? body : deepClone(body),
      apiVersion,
      type.kind,
    );
    this.dropUnknownFields(type, object, ctx);
    const meta = object.metadata;
    if (type.namespaced) {
      if (meta.namespace && meta.namespace !== namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      meta.namespace = namespace;
    } else {
      delete meta.namespace;
    }
    return this.conversion.stored(type, object);
  }

  /** Built-in types keep only their declared fields, as decoding into the Go types does. */
  private dropUnknownFields(
    type: ResourceType,
    object: KubeObject,
    ctx: RequestContext,
  ) {
    const model = modelNameForType(type);
    if (!model) return;
    const unknown = pruneUnknownFields(object, model);
    if (!unknown.length || ctx.fieldValidation === 'Ignore') return;
    const text = unknown.map(f => `unknown field "${f}"`);
    if (ctx.fieldValidation === 'Strict') {
      throw badRequest(
        `${type.kind} in version "${type.version}" cannot be handled as a ${
          type.kind
        }: strict decoding error: ${text.join(', ')}`,
      );
    }
    (ctx.warnings ??= []).push(...text);
  }

  create(
    type: ResourceType,
    namespace: string,
    body: unknown,
    ctx: RequestContext,
  ): KubeObject {
    const object = this.prepareCreate(type, namespace, body, ctx);
    const meta = object.metadata;
    const request = {
      operation: 'CREATE' as const,
      type,
      subresource: '',
      namespace,
      name: meta.name ?? '',
    };
    this.validate(type, object, undefined);
    this.admit('validating', { ...request, object }, ctx);
    this.trackManagedFields(type, undefined, object, '', ctx);
    const key = keyOf(type, namespace, meta.name!);
    if (ctx.dryRun) {
      if (this.store.get(storageKey(type), key))
        throw alreadyExists(groupResource(type), meta.name!);
      return object;
    }
    try {
      return this.store.create(
        storageKey(type),
        key,
        type.namespaced ? namespace : '',
        object,
      );
    } catch (e) {
      return storeFailure(e, type, meta.name!);
    }
  }

  /**
   * A create's object as defaulting and the mutating admission plugins leave
   * it, before validation: what kube-apiserver hands its mutating webhooks
   * (see admissionWebhooks.ts). Nothing is stored.
   */
  prepareCreate(
    type: ResourceType,
    namespace: string,
    body: unknown,
    ctx: RequestContext,
  ): KubeObject {
    const decoded = this.decode(type, body, namespace, ctx);
    if (!decoded.metadata.name && decoded.metadata.generateName) {
      decoded.metadata.name = `${
        decoded.metadata.generateName
      }${generateNameSuffix()}`;
    }
    this.checkNamespace(type, namespace, decoded.metadata.name ?? '', true);
    const defaulted = this.applyDefaults(type, decoded, ctx);
    this.stampNew(type, defaulted);
    const request = {
      operation: 'CREATE' as const,
      type,
      subresource: '',
      namespace,
      name: defaulted.metadata.name ?? '',
    };
    return this.admit('mutating', { ...request, object: defaulted }, ctx)!;
  }

  /** System-set metadata of a new object; clients cannot choose these. */
  private stampNew(type: ResourceType, object: KubeObject) {
    const meta = object.metadata;
    meta.uid = randomUUID();
    meta.creationTimestamp = timestamp();
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    if (type.tracksGeneration) meta.generation = 1;
    else delete meta.generation;
    if (hasSubresource(type, 'status')) {
      const status = type.custom ? undefined : initialStatus(type, object);
      if (status === undefined) delete object.status;
      else object.status = status;
    }
    if (isCoreNamespace(type)) defaultNamespace(object, true);
  }

  /**
   * PUT semantics: replaces the object (or, for `subresource` status, only its
   * status), enforcing optimistic concurrency when the body carries a
   * resourceVersion.
   */
  update(
    type: ResourceType,
    namespace: string,
    name: string,
    subresource: string,
    body: unknown,
    ctx: RequestContext,
  ): KubeObject {
    const incoming = this.decode(type, body, namespace, ctx);
    if (
      incoming.metadata.name !== undefined &&
      incoming.metadata.name !== name
    ) {
      throw badRequest(
        `the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    incoming.metadata.name = name;
    this.checkNamespace(type, namespace, name, false);
    const existing = this.get(type, namespace, name);
    const requested = incoming.metadata.resourceVersion;
    if (
      requested !== undefined &&
      requested !== '' &&
      requested !== existing.metadata.resourceVersion
    ) {
      throw conflict(groupResource(type), name, OBJECT_MODIFIED);
    }
    if ((requested === undefined || requested === '') && type.custom) {
      throw invalid(type, name, [
        {
          reason: 'FieldValueInvalid',
          message: 'Invalid value: 0x0: must be specified for an update',
          field: 'metadata.resourceVersion',
        },
      ]);
    }
    return this.write(
      type,
      namespace,
      name,
      subresource,
      existing,
      incoming,
      ctx,
    );
  }

  /**
   * Stores `incoming` as the next version of `existing`, applying the update
   * rules of the generic registry.
   */
  write(
    type: ResourceType,
    namespace: string,
    name: string,
    subresource: string,
    existing: KubeObject,
    incoming: KubeObject,
    ctx: RequestContext,
  ): KubeObject {
    const prepared = this.prepareUpdate(type, subresource, existing, incoming);
    let defaulted =
      subresource === 'binding'
        ? prepared
        : this.applyDefaults(type, prepared, ctx);
    // A status write keeps the stored spec itself, not a defaulted copy of
    // it: what is cached per spec (the scheduler's pod requests) stays valid.
    if (subresource === 'status' && existing.spec !== undefined)
      defaulted = { ...defaulted, spec: existing.spec };
    const request = {
      operation: 'UPDATE' as const,
      type,
      subresource,
      namespace,
      name,
      oldObject: existing,
    };
    const next = this.admit(
      'mutating',
      { ...request, object: defaulted },
      ctx,
    )!;
    // A binding is checked by bindPod; the pod update rules do not apply to it.
    if (subresource !== 'binding')
      this.validate(type, next, existing, subresource);
    this.admit('validating', { ...request, object: next }, ctx);
    this.trackManagedFields(type, existing, next, subresource, ctx);
    // A write that changes nothing is answered with the stored object: no
    // new resourceVersion, no watch event. kube-apiserver compares the
    // object as it would store it (after defaulting and admission, with
    // managedFields updated — whose writer's time moves only when the write
    // took a field) with the stored bytes (etcd3 GuaranteedUpdate).
    const stored = ({ kind: _k, apiVersion: _v, ...object }: KubeObject) => {
      const { resourceVersion: _r, ...metadata } = object.metadata;
      return { ...object, metadata };
    };
    if (storedEqual(stored(next), stored(existing))) return existing;
    if (ctx.dryRun) return next;
    const key = keyOf(type, namespace, name);
    const ns = type.namespaced ? namespace : '';
    try {
      if (
        next.metadata.deletionTimestamp &&
        !next.metadata.finalizers?.length &&
        this.gracePeriodOver(next)
      ) {
        // The last finalizer is gone: the deletion completes.
        return this.store.delete(
          storageKey(type),
          key,
          ns,
          existing.metadata.resourceVersion,
        );
      }
      return this.store.update(
        storageKey(type),
        key,
        ns,
        next,
        existing.metadata.resourceVersion,
      );
    } catch (e) {
      return storeFailure(e, type, name);
    }
  }

  private gracePeriodOver(object: KubeObject): boolean {
    return !object.metadata.deletionGracePeriodSeconds;
  }

  private prepareUpdate(
    type: ResourceType,
    subresource: string,
    existing: KubeObject,
    incoming: KubeObject,
  ): KubeObject {
    const old = existing.metadata;
    let next: KubeObject;
    if (subresource === 'binding') {
      // The server computed the bound pod; it keeps the stored metadata.
      return { ...incoming, metadata: { ...old } };
    }
    if (subresource === 'status') {
      // Status writes change only status; metadata and spec stay as stored.
      next = { ...existing, metadata: { ...old } };
      if (incoming.status === undefined) delete next.status;
      else next.status = incoming.status;
      return next;
    }
    next = incoming;
    if (hasSubresource(type, 'status')) {
      // With a status subresource, writes to the main resource keep the status.
      if (existing.status === undefined) delete next.status;
      else next.status = existing.status;
    }
    const meta: ObjectMeta = next.metadata;
    meta.uid = old.uid;
    meta.creationTimestamp = old.creationTimestamp;
    meta.namespace = old.namespace;
    if (meta.namespace === undefined) delete meta.namespace;
    if (old.deletionTimestamp) {
      meta.deletionTimestamp = old.deletionTimestamp;
      if (old.deletionGracePeriodSeconds !== undefined) {
        meta.deletionGracePeriodSeconds = old.deletionGracePeriodSeconds;
      }
      const added = (meta.finalizers ?? []).filter(
        f => !(old.finalizers ?? []).includes(f),
      );
      if (added.length) {
        throw invalid(type, old.name ?? '', [
          {
            reason: 'FieldValueForbidden',
            message:
              'Forbidden: no new finalizers can be added if the object is being deleted',
            field: 'metadata.finalizers',
          },
        ]);
      }
    } else {
      delete meta.deletionTimestamp;
      delete meta.deletionGracePeriodSeconds;
    }
    if (type.tracksGeneration) {
      meta.generation =
        (old.generation ?? 1) + (specChanged(existing, next) ? 1 : 0);
    } else {
      delete meta.generation;
    }
    if (!meta.managedFields && old.managedFields)
      meta.managedFields = old.managedFields;
    if (isCoreNamespace(type)) defaultNamespace(next, false);
    return next;
  }

  delete(
    type: ResourceType,
    namespace: string,
    name: string,
    options: DeleteOptions,
    ctx: RequestContext,
  ): DeleteOutcome {
    const existing = this.get(type, namespace, name);
    const gr = groupResource(type);
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== existing.metadata.uid) {
      throw conflict(
        gr,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${existing.metadata.uid}`,
      );
    }
    if (
      pre?.resourceVersion &&
      pre.resourceVersion !== existing.metadata.resourceVersion
    ) {
      throw conflict(
        gr,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${existing.metadata.resourceVersion}`,
      );
    }
    const policy =
      options.propagationPolicy ??
      (options.orphanDependents ? 'Orphan' : undefined);
    if (
      policy !== undefined &&
      !['Orphan', 'Background', 'Foreground'].includes(policy)
    ) {
      throw invalid({ group: 'meta.k8s.io', kind: 'DeleteOptions' }, '', [
        {
          reason: 'FieldValueNotSupported',
          message: `Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`,
          field: 'propagationPolicy',
        },
      ]);
    }
    const request = {
      operation: 'DELETE' as const,
      type,
      subresource: '',
      namespace,
      name,
      oldObject: existing,
    };
    this.admit('mutating', request, ctx);
    this.admit('validating', request, ctx);

    const finalizers = [...(existing.metadata.finalizers ?? [])];
    const addFinalizer = (f: string) => {
      if (!finalizers.includes(f)) finalizers.push(f);
    };
    if (!existing.metadata.deletionTimestamp) {
      if (policy === 'Foreground') addFinalizer('foregroundDeletion');
      if (policy === 'Orphan') addFinalizer('orphan');
    }
    const grace = this.gracePeriod(type, existing, options);
    const isNamespace = isCoreNamespace(type);
    const ns = type.namespaced ? namespace : '';
    const key = keyOf(type, namespace, name);
    if (!isNamespace && finalizers.length === 0 && grace === 0) {
      return this.deleteNow(type, key, ns, existing, ctx);
    }

    // Deletion is pending: on finalizers, on the grace period of a running
    // pod, or (namespaces) on the namespace controller emptying it.
    const meta: ObjectMeta = { ...existing.metadata };
    if (finalizers.length) meta.finalizers = finalizers;
    const deadline = timestamp(new Date(Date.now() + grace * 1000));
    if (
      !meta.deletionTimestamp ||
      grace < (meta.deletionGracePeriodSeconds ?? 0)
    ) {
      // A shorter grace period moves the deadline closer, never further.
      meta.deletionTimestamp = deadline;
      meta.deletionGracePeriodSeconds = grace;
    }
    const next: KubeObject = { ...existing, metadata: meta };
    if (isNamespace)
      next.status = { ...(existing.status as object), phase: 'Terminating' };
    if (ctx.dryRun) return { kind: 'object', object: next, code: 200 };
    if (
      jsonEqual(next.metadata, existing.metadata) &&
      jsonEqual(next.status, existing.status)
    ) {
      return { kind: 'object', object: existing, code: 200 };
    }
    try {
      const stored = this.store.update(
        storageKey(type),
        key,
        ns,
        next,
        existing.metadata.resourceVersion,
      );
      return { kind: 'object', object: stored, code: 200 };
    } catch (e) {
      return storeFailure(e, type, name);
    }
  }

  private deleteNow(
    type: ResourceType,
    key: string,
    ns: string,
    existing: KubeObject,
    ctx: RequestContext,
  ): DeleteOutcome {
    const name = existing.metadata.name!;
    let deleted = existing;
    if (!ctx.dryRun) {
      try {
        deleted = this.store.delete(
          storageKey(type),
          key,
          ns,
          existing.metadata.resourceVersion,
        );
      } catch (e) {
        return storeFailure(e, type, name);
      }
    }
    if (
      type.custom ||
      RETURNS_DELETED_OBJECT.has(`${type.group}/${type.plural}`)
    ) {
      return { kind: 'object', object: deleted, code: 200 };
    }
    return {
      kind: 'status',
      status: success({
        name,
        ...(type.group ? { group: type.group } : {}),
        kind: type.plural,
        uid: existing.metadata.uid,
      }),
    };
  }

  /**
   * Pods bound to a node terminate gracefully (the kubelet finishes the
   * deletion); everything else is deleted at once.
   */
  private gracePeriod(
    type: ResourceType,
    existing: KubeObject,
    options: DeleteOptions,
  ): number {
    if (type.group !== '' || type.plural !== 'pods') return 0;
    const pod = existing as any;
    const phase = pod.status?.phase;
    if (!pod.spec?.nodeName || phase === 'Succeeded' || phase === 'Failed')
      return 0;
    const grace =
      options.gracePeriodSeconds ??
      pod.spec?.terminationGracePeriodSeconds ??
      30;
    return grace < 0 ? 1 : grace;
  }
}
