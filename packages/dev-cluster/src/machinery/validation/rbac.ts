/**
 * Validation of rbac.authorization.k8s.io/v1 objects (pkg/apis/rbac/validation):
 * policy rules, role references (immutable on bindings) and subjects.
 */

import { FieldError, fieldErrors, FieldPath } from '../errors';
import { validateLabelSelector } from '../labels';
import {
  nameIsPathSegment,
  Obj,
  semanticEqual,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './meta';
import { isDns1123Subdomain } from './names';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

function validatePolicyRule(
  rule: Obj,
  namespaced: boolean,
  path: FieldPath,
): FieldError[] {
  const errors: FieldError[] = [];
  if (!rule.verbs?.length) {
    errors.push(
      fieldErrors.required(
        path.child('verbs'),
        'verbs must contain at least one value',
      ),
    );
  }
  if (rule.nonResourceURLs?.length) {
    if (namespaced) {
      errors.push(
        fieldErrors.invalid(
          path.child('nonResourceURLs'),
          rule.nonResourceURLs,
          'namespaced rules cannot apply to non-resource URLs',
        ),
      );
    }
    if (
      rule.apiGroups?.length ||
      rule.resources?.length ||
      rule.resourceNames?.length
    ) {
      errors.push(
        fieldErrors.invalid(
          path.child('nonResourceURLs'),
          rule.nonResourceURLs,
          'rules cannot apply to both regular resources and non-resource URLs',
        ),
      );
    }
    return errors;
  }
  if (!rule.apiGroups?.length) {
    errors.push(
      fieldErrors.required(
        path.child('apiGroups'),
        'resource rules must supply at least one api group',
      ),
    );
  }
  if (!rule.resources?.length) {
    errors.push(
      fieldErrors.required(
        path.child('resources'),
        'resource rules must supply at least one resource',
      ),
    );
  }
  return errors;
}

function validateRules(
  rules: Obj[] | undefined,
  namespaced: boolean,
): FieldError[] {
  return (rules ?? []).flatMap((rule, i) =>
    validatePolicyRule(rule, namespaced, FieldPath.of('rules').index(i)),
  );
}

function validateSubject(
  subject: Obj,
  namespaced: boolean,
  path: FieldPath,
): FieldError[] {
  const errors: FieldError[] = [];
  if (!subject.name) errors.push(fieldErrors.required(path.child('name')));
  switch (subject.kind) {
    case 'ServiceAccount':
      if (subject.name) {
        isDns1123Subdomain(subject.name).forEach(m =>
          errors.push(fieldErrors.invalid(path.child('name'), subject.name, m)),
        );
      }
      if (subject.apiGroup)
        errors.push(
          fieldErrors.notSupported(path.child('apiGroup'), subject.apiGroup, [
            '',
          ]),
        );
      if (!namespaced && !subject.namespace)
        errors.push(fieldErrors.required(path.child('namespace')));
      break;
    case 'User':
    case 'Group':
      if (subject.apiGroup !== RBAC_GROUP) {
        errors.push(
          fieldErrors.notSupported(
            path.child('apiGroup'),
            subject.apiGroup ?? '',
            [RBAC_GROUP],
          ),
        );
      }
      break;
    default:
      errors.push(
        fieldErrors.notSupported(path.child('kind'), subject.kind ?? '', [
          'ServiceAccount',
          'User',
          'Group',
        ]),
      );
  }
  return errors;
}

function validateBinding(binding: Obj, namespaced: boolean): FieldError[] {
  const errors = validateObjectMeta(
    binding.metadata,
    namespaced,
    nameIsPathSegment,
  );
  const ref: Obj = binding.roleRef ?? {};
  const refPath = FieldPath.of('roleRef');
  if (ref.apiGroup !== RBAC_GROUP) {
    errors.push(
      fieldErrors.notSupported(refPath.child('apiGroup'), ref.apiGroup ?? '', [
        RBAC_GROUP,
      ]),
    );
  }
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind))
    errors.push(
      fieldErrors.notSupported(refPath.child('kind'), ref.kind ?? '', kinds),
    );
  if (!ref.name) {
    errors.push(fieldErrors.required(refPath.child('name')));
  } else {
    nameIsPathSegment(ref.name, false).forEach(m =>
      errors.push(fieldErrors.invalid(refPath.child('name'), ref.name, m)),
    );
  }
  (binding.subjects ?? []).forEach((subject: Obj, i: number) =>
    errors.push(
      ...validateSubject(
        subject,
        namespaced,
        FieldPath.of('subjects').index(i),
      ),
    ),
  );
  return errors;
}

/** Validates a Role (namespaced) or ClusterRole on create. */
export function validateRole(role: Obj): FieldError[] {
  const namespaced = role.kind === 'Role';
  const errors = validateObjectMeta(
    role.metadata,
    namespaced,
    nameIsPathSegment,
  );
  errors.push(...validateRules(role.rules, namespaced));
  (role.aggregationRule?.clusterRoleSelectors ?? []).forEach(
    (selector: Obj, i: number) =>
      errors.push(
        ...validateLabelSelector(
          selector,
          FieldPath.of('aggregationRule', 'clusterRoleSelectors').index(i),
        ),
      ),
  );
  return errors;
}

/** Validates a Role or ClusterRole update. */
export function validateRoleUpdate(newRole: Obj, oldRole: Obj): FieldError[] {
  return [
    ...validateRole(newRole),
    ...validateObjectMetaUpdate(newRole.metadata, oldRole.metadata),
  ];
}

/** Validates a RoleBinding or ClusterRoleBinding on create. */
export function validateRoleBinding(binding: Obj): FieldError[] {
  return validateBinding(binding, binding.kind === 'RoleBinding');
}

/** Validates a binding update: `roleRef` can never change. */
export function validateRoleBindingUpdate(
  newBinding: Obj,
  oldBinding: Obj,
): FieldError[] {
  const errors = [
    ...validateRoleBinding(newBinding),
    ...validateObjectMetaUpdate(newBinding.metadata, oldBinding.metadata),
  ];
  if (!semanticEqual(newBinding.roleRef, oldBinding.roleRef)) {
    errors.push(
      fieldErrors.invalid(
        'roleRef',
        newBinding.roleRef,
        'cannot change roleRef',
      ),
    );
  }
  return errors;
}

/** Applies the v1 defaults of a binding: User and Group subjects get the RBAC API group. */
export function applyRoleBindingDefaults<T extends Obj>(binding: T): T {
  if (!binding.subjects) return binding;
  return {
    ...binding,
    subjects: binding.subjects.map((subject: Obj) =>
      subject.apiGroup === undefined &&
      (subject.kind === 'User' || subject.kind === 'Group')
        ? { ...subject, apiGroup: RBAC_GROUP }
        : subject,
    ),
  };
}
