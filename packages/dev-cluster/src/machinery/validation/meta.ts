/**
 * ObjectMeta validation (create and update) and the helpers every kind's
 * validation shares, as in k8s.io/apimachinery/pkg/api/validation.
 */

import { FieldError, fieldErrors, FieldPath } from '../errors';
import { validateLabels } from '../labels';
import {
  isDns1035Label,
  isDns1123Label,
  isDns1123Subdomain,
  isQualifiedName,
} from './names';

/** A plain JSON object as stored by the server. */
export type Obj = Record<string, any>;

/** Validates an object name (or a generateName prefix when `prefix`). */
export type NameValidator = (name: string, prefix: boolean) => string[];

/** A trailing '-' is fine in a generateName prefix. */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -1)}a` : name;
}

/** Names that must be DNS-1123 subdomains (most kinds). */
export const nameIsDnsSubdomain: NameValidator = (name, prefix) =>
  isDns1123Subdomain(prefix ? maskTrailingDash(name) : name);
/** Names that must be DNS-1123 labels (Namespace). */
export const nameIsDnsLabel: NameValidator = (name, prefix) =>
  isDns1123Label(prefix ? maskTrailingDash(name) : name);
/** Names that must be DNS-1035 labels (Service). */
export const nameIsDns1035Label: NameValidator = (name, prefix) =>
  isDns1035Label(prefix ? maskTrailingDash(name) : name);

/** Path segment validation for names that end up in URLs (RBAC kinds, CRs). */
export const nameIsPathSegment: NameValidator = (name, prefix) => {
  if (prefix) return [];
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  for (const bad of ['/', '%']) {
    if (name.includes(bad)) return [`may not contain '${bad}'`];
  }
  return [];
};

/** `must be greater than or equal to 0`. */
export const IS_NEGATIVE_ERROR = 'must be greater than or equal to 0';
/** The detail of every immutable-field error. */
export const FIELD_IMMUTABLE = 'field is immutable';
/** Sum of annotation keys and values may not exceed 256 KiB. */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

const utf8Length = (text: string) => Buffer.byteLength(text, 'utf8');

/** True for values Go would decode as the zero value or nil (absent, null, "", 0, false, empty). */
function isZero(value: unknown): boolean {
  if (
    value === undefined ||
    value === null ||
    value === '' ||
    value === 0 ||
    value === false
  ) {
    return true;
  }
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object')
    return Object.values(value as Obj).every(isZero);
  return false;
}

/**
 * Deep equality as apiequality.Semantic compares decoded objects: absent,
 * null and zero values are equal, and so are empty and missing lists/maps.
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true; // the same value or object (shared, unchanged parts)
  if (isZero(a) && isZero(b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length)
      return false;
    return a.every((item, i) => semanticEqual(item, b[i]));
  }
  if (
    typeof a === 'object' &&
    a !== null &&
    typeof b === 'object' &&
    b !== null
  ) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      if (!semanticEqual((a as Obj)[key], (b as Obj)[key])) return false;
    }
    return true;
  }
  return a === b;
}

/** `field is immutable` when the value changed. */
export function validateImmutableField(
  newValue: unknown,
  oldValue: unknown,
  path: FieldPath | string,
): FieldError[] {
  return semanticEqual(newValue, oldValue)
    ? []
    : [fieldErrors.invalid(path, newValue ?? null, FIELD_IMMUTABLE)];
}

/** `must be greater than or equal to 0` for a negative number. */
export function validateNonnegative(
  value: number | undefined,
  path: FieldPath | string,
): FieldError[] {
  return value !== undefined && value < 0
    ? [fieldErrors.invalid(path, value, IS_NEGATIVE_ERROR)]
    : [];
}

/** Annotation keys (qualified names, any case) and their total size. */
export function validateAnnotations(
  annotations: Record<string, string> | undefined,
  path: FieldPath,
): FieldError[] {
  const errors: FieldError[] = [];
  let size = 0;
  for (const key of Object.keys(annotations ?? {}).sort()) {
    for (const message of isQualifiedName(key.toLowerCase())) {
      errors.push(fieldErrors.invalid(path, key, message));
    }
    size += utf8Length(key) + utf8Length(String(annotations![key] ?? ''));
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) {
    errors.push(fieldErrors.tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  }
  return errors;
}

function validateOwnerReferences(
  refs: Obj[] | undefined,
  path: FieldPath,
): FieldError[] {
  const errors: FieldError[] = [];
  let firstController = '';
  for (const ref of refs ?? []) {
    const apiVersion = String(ref.apiVersion ?? '');
    const version = apiVersion.includes('/')
      ? apiVersion.split('/')[1]
      : apiVersion;
    if (!version) {
      errors.push(
        fieldErrors.invalid(
          path.child('apiVersion'),
          apiVersion,
          'version must not be empty',
        ),
      );
    }
    if (!ref.kind)
      errors.push(
        fieldErrors.invalid(
          path.child('kind'),
          ref.kind ?? '',
          'must not be empty',
        ),
      );
    if (!ref.name)
      errors.push(
        fieldErrors.invalid(
          path.child('name'),
          ref.name ?? '',
          'must not be empty',
        ),
      );
    if (!ref.uid)
      errors.push(
        fieldErrors.invalid(
          path.child('uid'),
          ref.uid ?? '',
          'must not be empty',
        ),
      );
    if (ref.controller === true) {
      const current = `${ref.kind}/${ref.name}`;
      if (firstController) {
        errors.push(
          fieldErrors.invalid(
            path,
            refs,
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`,
          ),
        );
      } else {
        firstController = current;
      }
    }
  }
  return errors;
}

const ORPHAN_FINALIZER = 'orphan';
const FOREGROUND_FINALIZER = 'foregroundDeletion';

function validateFinalizers(
  finalizers: string[] | undefined,
  path: FieldPath,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const finalizer of finalizers ?? []) {
    for (const message of isQualifiedName(finalizer)) {
      errors.push(fieldErrors.invalid(path, finalizer, message));
    }
  }
  if (
    finalizers?.includes(ORPHAN_FINALIZER) &&
    finalizers.includes(FOREGROUND_FINALIZER)
  ) {
    errors.push(
      fieldErrors.invalid(
        path,
        finalizers,
        `finalizer ${ORPHAN_FINALIZER} and ${FOREGROUND_FINALIZER} cannot be both set`,
      ),
    );
  }
  return errors;
}

const META = FieldPath.of('metadata');

/**
 * Validates metadata on create (ValidateObjectMeta): name (or the
 * generateName prefix), namespace presence for namespaced kinds and its
 * absence otherwise, labels, annotations, ownerReferences and finalizers.
 */
export function validateObjectMeta(
  meta: Obj | undefined,
  namespaced: boolean,
  validateName: NameValidator,
): FieldError[] {
  const m = meta ?? {};
  const errors: FieldError[] = [];
  if (m.generateName) {
    for (const message of validateName(m.generateName, true)) {
      errors.push(
        fieldErrors.invalid(
          META.child('generateName'),
          m.generateName,
          message,
        ),
      );
    }
  }
  if (!m.name) {
    errors.push(
      fieldErrors.required(
        META.child('name'),
        'name or generateName is required',
      ),
    );
  } else {
    for (const message of validateName(m.name, false)) {
      errors.push(fieldErrors.invalid(META.child('name'), m.name, message));
    }
  }
  if (namespaced) {
    if (!m.namespace) {
      errors.push(fieldErrors.required(META.child('namespace')));
    } else {
      for (const message of isDns1123Label(m.namespace)) {
        errors.push(
          fieldErrors.invalid(META.child('namespace'), m.namespace, message),
        );
      }
    }
  } else if (m.namespace) {
    errors.push(
      fieldErrors.forbidden(
        META.child('namespace'),
        'not allowed on this type',
      ),
    );
  }
  errors.push(...validateNonnegative(m.generation, META.child('generation')));
  errors.push(...validateLabels(m.labels, META.child('labels')));
  errors.push(...validateAnnotations(m.annotations, META.child('annotations')));
  errors.push(
    ...validateOwnerReferences(
      m.ownerReferences,
      META.child('ownerReferences'),
    ),
  );
  errors.push(...validateFinalizers(m.finalizers, META.child('finalizers')));
  return errors;
}

/** Go's %#v of a []string, as used in the new-finalizers message. */
const goStringSlice = (values: string[]) =>
  `[]string{${values.map(v => JSON.stringify(v)).join(', ')}}`;

/**
 * Validates metadata on update (ValidateObjectMetaUpdate): resourceVersion
 * present, generation not decremented, identity fields immutable, no new
 * finalizers once deletion started.
 */
export function validateObjectMetaUpdate(
  newMeta: Obj | undefined,
  oldMeta: Obj | undefined,
): FieldError[] {
  const n = newMeta ?? {};
  const o = oldMeta ?? {};
  const errors: FieldError[] = [];
  if (o.deletionTimestamp) {
    const added = [...new Set<string>(n.finalizers ?? [])]
      .filter(f => !(o.finalizers ?? []).includes(f))
      .sort();
    if (added.length) {
      errors.push(
        fieldErrors.forbidden(
          META.child('finalizers'),
          `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice(
            added,
          )}`,
        ),
      );
    }
  }
  if (!n.resourceVersion) {
    errors.push(
      fieldErrors.invalid(
        META.child('resourceVersion'),
        n.resourceVersion ?? '',
        'must be specified for an update',
      ),
    );
  }
  if ((n.generation ?? 0) < (o.generation ?? 0)) {
    errors.push(
      fieldErrors.invalid(
        META.child('generation'),
        n.generation ?? 0,
        'must not be decremented',
      ),
    );
  }
  for (const field of [
    'name',
    'namespace',
    'uid',
    'creationTimestamp',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
  ]) {
    errors.push(
      ...validateImmutableField(n[field], o[field], META.child(field)),
    );
  }
  errors.push(...validateLabels(n.labels, META.child('labels')));
  errors.push(...validateAnnotations(n.annotations, META.child('annotations')));
  errors.push(
    ...validateOwnerReferences(
      n.ownerReferences,
      META.child('ownerReferences'),
    ),
  );
  return errors;
}
