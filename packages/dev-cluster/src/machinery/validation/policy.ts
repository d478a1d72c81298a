/**
 * core/v1 ResourceQuota and LimitRange validation (pkg/apis/core/validation).
 */

import { FieldError, fieldErrors, FieldPath } from '../errors';
import { Quantity } from '../quantity';
import {
  nameIsDnsSubdomain,
  Obj,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './meta';
import { isQualifiedName } from './names';

/** The resource names a quota may limit without a `/` prefix. */
const STANDARD_QUOTA_RESOURCES = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.storage',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'pods',
  'services',
  'replicationcontrollers',
  'resourcequotas',
  'secrets',
  'persistentvolumeclaims',
  'configmaps',
  'services.nodeports',
  'services.loadbalancers',
]);
const INTEGER_QUOTA_RESOURCES = new Set([
  'pods',
  'services',
  'replicationcontrollers',
  'resourcequotas',
  'secrets',
  'persistentvolumeclaims',
  'configmaps',
  'services.nodeports',
  'services.loadbalancers',
]);
const QUOTA_SCOPES = [
  'BestEffort',
  'CrossNamespacePodAffinity',
  'NotBestEffort',
  'NotTerminating',
  'PriorityClass',
  'Terminating',
];

function validateQuantityValue(
  value: unknown,
  path: FieldPath,
  integer: boolean,
): FieldError[] {
  const quantity = Quantity.tryParse(value);
  if (!quantity) return [];
  if (quantity.cmp(Quantity.zero()) < 0) {
    return [
      fieldErrors.invalid(
        path,
        quantity.toString(),
        'must be greater than or equal to 0',
      ),
    ];
  }
  if (integer && quantity.milliValue() % 1000 !== 0) {
    return [
      fieldErrors.invalid(path, quantity.toString(), 'must be an integer'),
    ];
  }
  return [];
}

/** Validates a ResourceQuota: standard (or prefixed) resource names, non-negative values, known scopes. */
export function validateResourceQuota(quota: Obj): FieldError[] {
  const errors = validateObjectMeta(quota.metadata, true, nameIsDnsSubdomain);
  const hard: Obj = quota.spec?.hard ?? {};
  for (const name of Object.keys(hard).sort()) {
    const at = FieldPath.of('spec', 'hard').key(name);
    if (name.includes('/')) {
      isQualifiedName(name).forEach(m =>
        errors.push(fieldErrors.invalid(at, name, m)),
      );
    } else if (
      !STANDARD_QUOTA_RESOURCES.has(name) &&
      !/^(requests\.)?hugepages-/.test(name)
    ) {
      errors.push(
        fieldErrors.invalid(at, name, 'must be a standard resource for quota'),
      );
      continue;
    }
    const integer =
      INTEGER_QUOTA_RESOURCES.has(name) || name.startsWith('count/');
    errors.push(...validateQuantityValue(hard[name], at, integer));
  }
  (quota.spec?.scopes ?? []).forEach((scope: string) => {
    if (!QUOTA_SCOPES.includes(scope)) {
      errors.push(
        fieldErrors.notSupported(
          FieldPath.of('spec', 'scopes'),
          scope,
          QUOTA_SCOPES,
        ),
      );
    }
  });
  return errors;
}

/** Validates a ResourceQuota update. */
export function validateResourceQuotaUpdate(
  newQuota: Obj,
  oldQuota: Obj,
): FieldError[] {
  return [
    ...validateObjectMetaUpdate(newQuota.metadata, oldQuota.metadata),
    ...validateResourceQuota(newQuota),
  ];
}

/**
 * Validates a LimitRange (after its defaults are applied): for each resource
 * min ≤ defaultRequest ≤ default ≤ max, and a ratio of at least 1 that
 * max/min allows; Pod items take no defaults.
 */
export function validateLimitRange(limitRange: Obj): FieldError[] {
  const errors = validateObjectMeta(
    limitRange.metadata,
    true,
    nameIsDnsSubdomain,
  );
  (limitRange.spec?.limits ?? []).forEach((item: Obj, i: number) => {
    const at = FieldPath.of('spec', 'limits').index(i);
    if (!item.type) errors.push(fieldErrors.required(at.child('type')));
    if (item.type === 'Pod') {
      for (const field of ['default', 'defaultRequest']) {
        if (Object.keys(item[field] ?? {}).length) {
          errors.push(
            fieldErrors.forbidden(
              at.child(field),
              "may not be specified when `type` is 'Pod'",
            ),
          );
        }
      }
    }
    const get = (field: string, name: string) =>
      Quantity.tryParse(item[field]?.[name]);
    const names = new Set<string>(
      [
        'max',
        'min',
        'default',
        'defaultRequest',
        'maxLimitRequestRatio',
      ].flatMap(f => Object.keys(item[f] ?? {})),
    );
    for (const name of [...names].sort()) {
      const min = get('min', name);
      const max = get('max', name);
      const def = get('default', name);
      const request = get('defaultRequest', name);
      const ratio = get('maxLimitRequestRatio', name);
      const key = (field: string) => at.child(field).key(name);
      if (min && max && min.cmp(max) > 0) {
        errors.push(
          fieldErrors.invalid(
            key('min'),
            min.toString(),
            `min value ${min} is greater than max value ${max}`,
          ),
        );
      }
      if (request && min && min.cmp(request) > 0) {
        errors.push(
          fieldErrors.invalid(
            key('defaultRequest'),
            request.toString(),
            `min value ${min} is greater than default request value ${request}`,
          ),
        );
      }
      if (request && max && request.cmp(max) > 0) {
        errors.push(
          fieldErrors.invalid(
            key('defaultRequest'),
            request.toString(),
            `default request value ${request} is greater than max value ${max}`,
          ),
        );
      }
      if (request && def && request.cmp(def) > 0) {
        errors.push(
          fieldErrors.invalid(
            key('defaultRequest'),
            request.toString(),
            `default request value ${request} is greater than default limit value ${def}`,
          ),
        );
      }
      if (def && min && min.cmp(def) > 0) {
        errors.push(
          fieldErrors.invalid(
            key('default'),
            min.toString(),
            `min value ${min} is greater than default value ${def}`,
          ),
        );
      }
      if (def && max && def.cmp(max) > 0) {
        errors.push(
          fieldErrors.invalid(
            key('default'),
            max.toString(),
            `default value ${def} is greater than max value ${max}`,
          ),
        );
      }
      if (ratio && ratio.cmp(Quantity.fromValue(1)) < 0) {
        errors.push(
          fieldErrors.invalid(
            key('maxLimitRequestRatio'),
            ratio.toString(),
            `ratio ${ratio} is less than 1`,
          ),
        );
      }
      if (ratio && min && max) {
        const allowed = max.milliValue() / min.milliValue();
        if (ratio.milliValue() / 1000 > allowed) {
          errors.push(
            fieldErrors.invalid(
              key('maxLimitRequestRatio'),
              ratio.toString(),
              `ratio ${ratio} is greater than max/min = ${allowed.toFixed(6)}`,
            ),
          );
        }
      }
    }
  });
  return errors;
}

/** Validates a LimitRange update. */
export function validateLimitRangeUpdate(
  newRange: Obj,
  oldRange: Obj,
): FieldError[] {
  return [
    ...validateObjectMetaUpdate(newRange.metadata, oldRange.metadata),
    ...validateLimitRange(newRange),
  ];
}
