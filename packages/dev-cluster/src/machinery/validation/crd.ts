/**
 * apiextensions.k8s.io/v1 CustomResourceDefinition validation: names,
 * group, scope, versions (one storage version, schemas required and
 * structural), printer columns; and the v1 defaults.
 */

import { FieldError, fieldErrors, FieldPath } from '../errors';
import {
  Obj,
  validateImmutableField,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './meta';
import { isDns1035Label, isDns1123Subdomain } from './names';

const SPEC = FieldPath.of('spec');
const COLUMN_TYPES = ['integer', 'number', 'string', 'boolean', 'date'];
const SCHEMA_TYPES = [
  'array',
  'boolean',
  'integer',
  'number',
  'object',
  'string',
];

function enumString(
  path: FieldPath,
  value: unknown,
  accepted: string[],
): FieldError[] {
  if (!value) return [fieldErrors.required(path)];
  return accepted.includes(String(value))
    ? []
    : [fieldErrors.notSupported(path, value, accepted)];
}

function validateNames(names: Obj, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const label = (value: string, at: FieldPath, prefix = '') => {
    const messages = isDns1035Label(prefix ? value.toLowerCase() : value);
    if (value && messages.length)
      errors.push(fieldErrors.invalid(at, value, prefix + messages.join(',')));
  };
  if (!names.plural) errors.push(fieldErrors.required(path.child('plural')));
  if (!names.kind) errors.push(fieldErrors.required(path.child('kind')));
  if (!names.listKind)
    errors.push(fieldErrors.required(path.child('listKind')));
  label(names.plural ?? '', path.child('plural'));
  label(names.singular ?? '', path.child('singular'));
  const mixedCase = 'may have mixed case, but should otherwise match: ';
  label(names.kind ?? '', path.child('kind'), mixedCase);
  label(names.listKind ?? '', path.child('listKind'), mixedCase);
  (names.shortNames ?? []).forEach((name: string, i: number) =>
    label(name, path.child('shortNames').index(i)),
  );
  if (names.kind && names.kind === names.listKind) {
    errors.push(
      fieldErrors.invalid(
        path.child('listKind'),
        names.listKind,
        'kind and listKind may not be the same',
      ),
    );
  }
  (names.categories ?? []).forEach((name: string, i: number) =>
    label(name, path.child('categories').index(i)),
  );
  return errors;
}

/**
 * The structural-schema rules kube-apiserver enforces on a CRD schema:
 * every specified field has a type, arrays have items, properties and
 * additionalProperties exclude each other, root metadata only constrains
 * name and generateName.
 */
function validateStructural(
  schema: Obj,
  path: FieldPath,
  atRoot: boolean,
  what: string,
): FieldError[] {
  const errors: FieldError[] = [];
  const intOrString = schema['x-kubernetes-int-or-string'] === true;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  if (!schema.type && !intOrString && !preserve) {
    errors.push(
      fieldErrors.required(
        path.child('type'),
        atRoot
          ? 'must not be empty at the root'
          : `must not be empty for specified ${what}`,
      ),
    );
  } else if (schema.type && !SCHEMA_TYPES.includes(schema.type)) {
    errors.push(
      fieldErrors.notSupported(path.child('type'), schema.type, SCHEMA_TYPES),
    );
  }
  if (atRoot && schema.type && schema.type !== 'object') {
    errors.push(
      fieldErrors.invalid(
        path.child('type'),
        schema.type,
        'must be object at the root',
      ),
    );
  }
  if (schema.type === 'array' && !schema.items) {
    errors.push(fieldErrors.required(path.child('items'), 'must be specified'));
  }
  if (
    schema.properties &&
    schema.additionalProperties !== undefined &&
    schema.additionalProperties !== false
  ) {
    errors.push(
      fieldErrors.forbidden(
        path.child('additionalProperties'),
        'additionalProperties and properties are mutual exclusive',
      ),
    );
  }
  for (const [name, child] of Object.entries(
    (schema.properties ?? {}) as Obj,
  )) {
    const at = path.child('properties').key(name);
    if (atRoot && name === 'metadata') {
      const allowed = new Set(['type', 'properties', 'description']);
      const extra = Object.keys(child).some(k => !allowed.has(k));
      const props = Object.keys(child.properties ?? {});
      if (extra || props.some(p => p !== 'name' && p !== 'generateName')) {
        errors.push(
          fieldErrors.forbidden(
            at,
            'must not specify anything other than name and generateName, but metadata is implicitly specified',
          ),
        );
      }
      continue;
    }
    errors.push(...validateStructural(child, at, false, 'object fields'));
  }
  if (schema.items && typeof schema.items === 'object') {
    errors.push(
      ...validateStructural(
        schema.items,
        path.child('items'),
        false,
        'array items',
      ),
    );
  }
  if (
    schema.additionalProperties &&
    typeof schema.additionalProperties === 'object'
  ) {
    errors.push(
      ...validateStructural(
        schema.additionalProperties,
        path.child('additionalProperties'),
        false,
        'object fields',
      ),
    );
  }
  return errors;
}

function validateVersion(version: Obj, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const schema = version.schema?.openAPIV3Schema;
  const schemaPath = path.child('schema', 'openAPIV3Schema');
  if (!schema) {
    errors.push(fieldErrors.required(schemaPath, 'schemas are required'));
  } else {
    errors.push(
      ...validateStructural(schema, schemaPath, true, 'object fields'),
    );
  }
  (version.additionalPrinterColumns ?? []).forEach((column: Obj, i: number) => {
    const at = path.child('additionalPrinterColumns').index(i);
    if (!column.name) errors.push(fieldErrors.required(at.child('name')));
    errors.push(...enumString(at.child('type'), column.type, COLUMN_TYPES));
    if (!column.jsonPath)
      errors.push(fieldErrors.required(at.child('jsonPath')));
  });
  return errors;
}

/**
 * Validates a CustomResourceDefinition as apiextensions-apiserver does
 * (name must be `<plural>.<group>`, a dotted group, a known scope, unique
 * DNS-1035 version names with exactly one storage version, structural
 * schemas). CEL rules and conversion webhooks are not checked.
 */
export function validateCustomResourceDefinition(crd: Obj): FieldError[] {
  const spec: Obj = crd.spec ?? {};
  const names: Obj = spec.names ?? {};
  const errors = validateObjectMeta(crd.metadata, false, (name, prefix) => {
    const messages = isDns1123Subdomain(name);
    if (!prefix && name !== `${names.plural}.${spec.group}`) {
      messages.push('must be spec.names.plural+"."+spec.group');
    }
    return messages;
  });
  if (!spec.group) {
    errors.push(fieldErrors.required(SPEC.child('group')));
  } else {
    const messages = isDns1123Subdomain(spec.group);
    if (messages.length) {
      errors.push(
        fieldErrors.invalid(
          SPEC.child('group'),
          spec.group,
          messages.join(','),
        ),
      );
    } else if (spec.group.split('.').length < 2) {
      errors.push(
        fieldErrors.invalid(
          SPEC.child('group'),
          spec.group,
          'should be a domain with at least one dot',
        ),
      );
    }
  }
  errors.push(
    ...enumString(SPEC.child('scope'), spec.scope, ['Cluster', 'Namespaced']),
  );
  const versions: Obj[] = spec.versions ?? [];
  if (!versions.length)
    errors.push(
      fieldErrors.invalid(
        SPEC.child('versions'),
        versions,
        'must have exactly one version marked as storage version',
      ),
    );
  const seen = new Set<string>();
  let unique = true;
  versions.forEach((version, i) => {
    const at = SPEC.child('versions').index(i);
    if (seen.has(version.name)) unique = false;
    seen.add(version.name);
    const messages = isDns1035Label(String(version.name ?? ''));
    if (messages.length)
      errors.push(
        fieldErrors.invalid(
          at.child('name'),
          version.name ?? '',
          messages.join(','),
        ),
      );
    errors.push(...validateVersion(version, at));
  });
  if (!unique)
    errors.push(
      fieldErrors.invalid(
        SPEC.child('versions'),
        versions,
        'must contain unique version names',
      ),
    );
  const storage = versions.filter(v => v.storage === true).length;
  if (versions.length && storage !== 1) {
    errors.push(
      fieldErrors.invalid(
        SPEC.child('versions'),
        versions,
        'must have exactly one version marked as storage version',
      ),
    );
  }
  errors.push(...validateNames(names, SPEC.child('names')));
  return errors;
}

/**
 * Validates a CRD update: group and plural never change; scope and kind
 * not once a version has been stored.
 */
export function validateCustomResourceDefinitionUpdate(
  newCrd: Obj,
  oldCrd: Obj,
): FieldError[] {
  const n: Obj = newCrd.spec ?? {};
  const o: Obj = oldCrd.spec ?? {};
  const errors = [
    ...validateObjectMetaUpdate(newCrd.metadata, oldCrd.metadata),
    ...validateCustomResourceDefinition(newCrd),
  ];
  if ((oldCrd.status?.storedVersions ?? []).length) {
    errors.push(
      ...validateImmutableField(n.scope, o.scope, SPEC.child('scope')),
    );
    errors.push(
      ...validateImmutableField(
        n.names?.kind,
        o.names?.kind,
        SPEC.child('names', 'kind'),
      ),
    );
  }
  errors.push(...validateImmutableField(n.group, o.group, SPEC.child('group')));
  errors.push(
    ...validateImmutableField(
      n.names?.plural,
      o.names?.plural,
      SPEC.child('names', 'plural'),
    ),
  );
  return errors;
}

/** The v1 defaults of a CRD: singular and listKind from the kind, conversion None. */
export function applyCustomResourceDefinitionDefaults<T extends Obj>(
  crd: T,
): T {
  const spec: Obj = { ...(crd.spec ?? {}) };
  const names: Obj = { ...(spec.names ?? {}) };
  if (!names.singular && names.kind)
    names.singular = String(names.kind).toLowerCase();
  if (!names.listKind && names.kind) names.listKind = `${names.kind}List`;
  spec.names = names;
  spec.conversion ??= { strategy: 'None' };
  return { ...crd, spec };
}
