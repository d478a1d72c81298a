/**
 * policy/v1 PodDisruptionBudget validation (ValidatePodDisruptionBudgetSpec).
 */

import { FieldError, fieldErrors, FieldPath } from '../errors';
import { validateLabelSelector } from '../labels';
import {
  IS_NEGATIVE_ERROR,
  nameIsDnsSubdomain,
  Obj,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './meta';

const SPEC = FieldPath.of('spec');

function validateIntOrPercent(value: unknown, path: FieldPath): FieldError[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'number')
    return value < 0
      ? [fieldErrors.invalid(path, value, IS_NEGATIVE_ERROR)]
      : [];
  const match = /^(\d+)%$/.exec(String(value));
  if (!match)
    return [
      fieldErrors.invalid(
        path,
        value,
        "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
      ),
    ];
  return Number(match[1]) > 100
    ? [fieldErrors.invalid(path, value, 'must not be greater than 100%')]
    : [];
}

function validateSpec(spec: Obj | undefined): FieldError[] {
  const s = spec ?? {};
  const errors: FieldError[] = [];
  const hasMin = s.minAvailable !== undefined && s.minAvailable !== null;
  const hasMax = s.maxUnavailable !== undefined && s.maxUnavailable !== null;
  if (hasMin && hasMax) {
    errors.push(
      fieldErrors.invalid(
        SPEC,
        s,
        'minAvailable and maxUnavailable cannot be both set',
      ),
    );
  }
  errors.push(
    ...validateIntOrPercent(s.minAvailable, SPEC.child('minAvailable')),
    ...validateIntOrPercent(s.maxUnavailable, SPEC.child('maxUnavailable')),
  );
  if (s.selector)
    errors.push(...validateLabelSelector(s.selector, SPEC.child('selector')));
  const policies = ['IfHealthyBudget', 'AlwaysAllow'];
  if (
    s.unhealthyPodEvictionPolicy !== undefined &&
    !policies.includes(s.unhealthyPodEvictionPolicy)
  ) {
    errors.push(
      fieldErrors.notSupported(
        SPEC.child('unhealthyPodEvictionPolicy'),
        s.unhealthyPodEvictionPolicy,
        policies,
      ),
    );
  }
  return errors;
}

/** Validates a PodDisruptionBudget on create. */
export function validatePodDisruptionBudget(pdb: Obj): FieldError[] {
  return [
    ...validateObjectMeta(pdb.metadata, true, nameIsDnsSubdomain),
    ...validateSpec(pdb.spec),
  ];
}

/** Validates a PodDisruptionBudget update (in policy/v1 its spec may change). */
export function validatePodDisruptionBudgetUpdate(
  newPdb: Obj,
  oldPdb: Obj,
): FieldError[] {
  return [
    ...validateObjectMetaUpdate(newPdb.metadata, oldPdb.metadata),
    ...validateSpec(newPdb.spec),
  ];
}
