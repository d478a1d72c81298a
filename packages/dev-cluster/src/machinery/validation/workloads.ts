/**
 * apps/v1 Deployment, ReplicaSet and ControllerRevision validation
 * (pkg/apis/apps/validation and the registry strategies' selector
 * immutability).
 */

import { FieldError, fieldErrors, FieldPath } from '../errors';
import { labelSelectorMatcher, validateLabelSelector } from '../labels';
import {
  IS_NEGATIVE_ERROR,
  nameIsDnsSubdomain,
  Obj,
  validateImmutableField,
  validateNonnegative,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './meta';
import { validatePodTemplateSpec } from './pod';
import { regexError } from './names';

const SPEC = FieldPath.of('spec');

function validateSelectorAndTemplate(spec: Obj, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const selector = spec.selector;
  if (!selector) {
    errors.push(fieldErrors.required(path.child('selector')));
  } else {
    errors.push(...validateLabelSelector(selector, path.child('selector')));
    const terms =
      Object.keys(selector.matchLabels ?? {}).length +
      (selector.matchExpressions ?? []).length;
    if (terms === 0) {
      // Kubernetes words this the same way for ReplicaSets.
      errors.push(
        fieldErrors.invalid(
          path.child('selector'),
          selector,
          'empty selector is invalid for deployment',
        ),
      );
    }
  }
  const templatePath = path.child('template');
  let matches: ((labels: Obj | undefined) => boolean) | undefined;
  try {
    matches = selector ? labelSelectorMatcher(selector) : () => true;
  } catch {
    errors.push(
      fieldErrors.invalid(
        path.child('selector'),
        selector,
        'invalid label selector',
      ),
    );
    return errors;
  }
  const template = spec.template;
  if (!template) {
    errors.push(fieldErrors.required(templatePath));
    return errors;
  }
  const selectorIsEmpty =
    !selector ||
    Object.keys(selector.matchLabels ?? {}).length +
      (selector.matchExpressions ?? []).length ===
      0;
  if (!selectorIsEmpty && !matches(template.metadata?.labels ?? {})) {
    errors.push(
      fieldErrors.invalid(
        templatePath.child('metadata', 'labels'),
        template.metadata?.labels ?? {},
        '`selector` does not match template `labels`',
      ),
    );
  }
  errors.push(...validatePodTemplateSpec(template, templatePath));
  const restartPolicy = template.spec?.restartPolicy;
  if (restartPolicy !== 'Always') {
    errors.push(
      fieldErrors.notSupported(
        templatePath.child('spec', 'restartPolicy'),
        restartPolicy ?? '',
        ['Always'],
      ),
    );
  }
  if (
    template.spec?.activeDeadlineSeconds !== undefined &&
    template.spec?.activeDeadlineSeconds !== null
  ) {
    errors.push(
      fieldErrors.invalid(
        templatePath.child('spec', 'activeDeadlineSeconds'),
        template.spec.activeDeadlineSeconds,
        'activeDeadlineSeconds in ReplicaSet is not Supported',
      ),
    );
  }
  return errors;
}

/** An int-or-percent field must be a non-negative integer or `<n>%`. */
function validatePositiveIntOrPercent(
  value: unknown,
  path: FieldPath,
): FieldError[] {
  if (typeof value === 'string') {
    return /^[0-9]+%$/.test(value)
      ? []
      : [
          fieldErrors.invalid(
            path,
            value,
            regexError(
              "a valid percent string must be a numeric string followed by an ending '%'",
              '[0-9]+%',
              '1%',
              '93%',
            ),
          ),
        ];
  }
  return typeof value === 'number' && value < 0
    ? [fieldErrors.invalid(path, value, IS_NEGATIVE_ERROR)]
    : [];
}

const intOrPercentValue = (value: unknown) =>
  typeof value === 'string' ? parseInt(value, 10) || 0 : Number(value ?? 0);

function validateStrategy(
  strategy: Obj | undefined,
  path: FieldPath,
): FieldError[] {
  const type = strategy?.type;
  if (type === 'Recreate') {
    return strategy?.rollingUpdate
      ? [
          fieldErrors.forbidden(
            path.child('rollingUpdate'),
            "may not be specified when strategy `type` is 'Recreate'",
          ),
        ]
      : [];
  }
  if (type === 'RollingUpdate') {
    const rolling = strategy?.rollingUpdate;
    if (!rolling) {
      return [
        fieldErrors.required(
          path.child('rollingUpdate'),
          'this should be defaulted and never be nil',
        ),
      ];
    }
    const at = path.child('rollingUpdate');
    const errors = [
      ...validatePositiveIntOrPercent(
        rolling.maxUnavailable,
        at.child('maxUnavailable'),
      ),
      ...validatePositiveIntOrPercent(rolling.maxSurge, at.child('maxSurge')),
    ];
    if (
      intOrPercentValue(rolling.maxUnavailable) === 0 &&
      intOrPercentValue(rolling.maxSurge) === 0
    ) {
      errors.push(
        fieldErrors.invalid(
          at.child('maxUnavailable'),
          rolling.maxUnavailable,
          'may not be 0 when `maxSurge` is 0',
        ),
      );
    }
    if (
      typeof rolling.maxUnavailable === 'string' &&
      intOrPercentValue(rolling.maxUnavailable) > 100
    ) {
      errors.push(
        fieldErrors.invalid(
          at.child('maxUnavailable'),
          rolling.maxUnavailable,
          'must not be greater than 100%',
        ),
      );
    }
    return errors;
  }
  return [
    fieldErrors.notSupported(path, strategy ?? null, [
      'Recreate',
      'RollingUpdate',
    ]),
  ];
}

function validateDeploymentSpec(spec: Obj | undefined): FieldError[] {
  const s = spec ?? {};
  const errors = validateNonnegative(s.replicas, SPEC.child('replicas'));
  errors.push(...validateSelectorAndTemplate(s, SPEC));
  errors.push(...validateStrategy(s.strategy, SPEC.child('strategy')));
  errors.push(
    ...validateNonnegative(s.minReadySeconds, SPEC.child('minReadySeconds')),
  );
  errors.push(
    ...validateNonnegative(
      s.revisionHistoryLimit,
      SPEC.child('revisionHistoryLimit'),
    ),
  );
  if (
    s.progressDeadlineSeconds !== undefined &&
    s.progressDeadlineSeconds !== null
  ) {
    errors.push(
      ...validateNonnegative(
        s.progressDeadlineSeconds,
        SPEC.child('progressDeadlineSeconds'),
      ),
    );
    if (s.progressDeadlineSeconds <= (s.minReadySeconds ?? 0)) {
      errors.push(
        fieldErrors.invalid(
          SPEC.child('progressDeadlineSeconds'),
          s.progressDeadlineSeconds,
          'must be greater than minReadySeconds',
        ),
      );
    }
  }
  return errors;
}

/** Validates a Deployment on create. */
export function validateDeployment(deployment: Obj): FieldError[] {
  return [
    ...validateObjectMeta(deployment.metadata, true, nameIsDnsSubdomain),
    ...validateDeploymentSpec(deployment.spec),
  ];
}

/** Validates a Deployment update; in apps/v1 the selector is immutable. */
export function validateDeploymentUpdate(
  newDeployment: Obj,
  oldDeployment: Obj,
): FieldError[] {
  return [
    ...validateObjectMetaUpdate(newDeployment.metadata, oldDeployment.metadata),
    ...validateDeploymentSpec(newDeployment.spec),
    ...validateImmutableField(
      newDeployment.spec?.selector,
      oldDeployment.spec?.selector,
      SPEC.child('selector'),
    ),
  ];
}

function validateReplicaSetSpec(spec: Obj | undefined): FieldError[] {
  const s = spec ?? {};
  return [
    ...validateNonnegative(s.replicas, SPEC.child('replicas')),
    ...validateNonnegative(s.minReadySeconds, SPEC.child('minReadySeconds')),
    ...validateSelectorAndTemplate(s, SPEC),
  ];
}

/** Validates a ControllerRevision: data is required, revision not negative. */
export function validateControllerRevision(revision: Obj): FieldError[] {
  return [
    ...validateObjectMeta(revision.metadata, true, nameIsDnsSubdomain),
    ...(revision.data === undefined || revision.data === null
      ? [fieldErrors.required(FieldPath.of('data'), 'data is mandatory')]
      : []),
    ...validateNonnegative(revision.revision, FieldPath.of('revision')),
  ];
}

/**
 * Validates a ControllerRevision update: data is immutable (revision is not:
 * a controller renumbers a revision it rolls back to).
 */
export function validateControllerRevisionUpdate(
  newRevision: Obj,
  oldRevision: Obj,
): FieldError[] {
  return [
    ...validateObjectMetaUpdate(newRevision.metadata, oldRevision.metadata),
    ...validateControllerRevision(newRevision),
    ...validateImmutableField(
      newRevision.data,
      oldRevision.data,
      FieldPath.of('data'),
    ),
  ];
}

/** Validates a ReplicaSet on create. */
export function validateReplicaSet(replicaSet: Obj): FieldError[] {
  return [
    ...validateObjectMeta(replicaSet.metadata, true, nameIsDnsSubdomain),
    ...validateReplicaSetSpec(replicaSet.spec),
  ];
}

/** Validates a ReplicaSet update; in apps/v1 the selector is immutable. */
export function validateReplicaSetUpdate(
  newReplicaSet: Obj,
  oldReplicaSet: Obj,
): FieldError[] {
  return [
    ...validateObjectMetaUpdate(newReplicaSet.metadata, oldReplicaSet.metadata),
    ...validateReplicaSetSpec(newReplicaSet.spec),
    ...validateImmutableField(
      newReplicaSet.spec?.selector,
      oldReplicaSet.spec?.selector,
      SPEC.child('selector'),
    ),
  ];
}

const STATEFUL_SET_MUTABLE =
  "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

/** The template as its pods get it: with a volume for each claim template (Kubernetes checks less). */
function withClaimVolumes(spec: Obj): Obj {
  const claims: Obj[] = spec.volumeClaimTemplates ?? [];
  if (!claims.length || !spec.template?.spec) return spec;
  const names = new Set(claims.map(c => c.metadata?.name));
  const volumes = [
    ...(spec.template.spec.volumes ?? []).filter(
      (v: Obj) => !names.has(v.name),
    ),
    ...claims.map(c => ({
      name: c.metadata?.name,
      persistentVolumeClaim: { claimName: c.metadata?.name },
    })),
  ];
  return {
    ...spec,
    template: {
      ...spec.template,
      spec: { ...spec.template.spec, volumes },
    },
  };
}

function validateStatefulSetSpec(spec: Obj | undefined): FieldError[] {
  const s = spec ?? {};
  const errors = [
    ...validateNonnegative(s.replicas, SPEC.child('replicas')),
    ...validateNonnegative(s.minReadySeconds, SPEC.child('minReadySeconds')),
    ...validateNonnegative(
      s.revisionHistoryLimit,
      SPEC.child('revisionHistoryLimit'),
    ),
    ...validateSelectorAndTemplate(withClaimVolumes(s), SPEC),
  ];
  const policies = ['OrderedReady', 'Parallel'];
  if (!policies.includes(s.podManagementPolicy)) {
    errors.push(
      fieldErrors.notSupported(
        SPEC.child('podManagementPolicy'),
        s.podManagementPolicy ?? '',
        policies,
      ),
    );
  }
  const strategy = s.updateStrategy ?? {};
  const strategyPath = SPEC.child('updateStrategy');
  if (strategy.type === 'OnDelete') {
    if (strategy.rollingUpdate) {
      errors.push(
        fieldErrors.invalid(
          strategyPath.child('rollingUpdate'),
          strategy.rollingUpdate,
          "only allowed for updateStrategy 'RollingUpdate'",
        ),
      );
    }
  } else if (strategy.type === 'RollingUpdate') {
    const rolling = strategy.rollingUpdate ?? {};
    const at = strategyPath.child('rollingUpdate');
    errors.push(
      ...validateNonnegative(rolling.partition, at.child('partition')),
    );
    if (rolling.maxUnavailable !== undefined) {
      errors.push(
        ...validatePositiveIntOrPercent(
          rolling.maxUnavailable,
          at.child('maxUnavailable'),
        ),
      );
      if (intOrPercentValue(rolling.maxUnavailable) === 0) {
        errors.push(
          fieldErrors.invalid(
            at.child('maxUnavailable'),
            rolling.maxUnavailable,
            'must be greater than 0',
          ),
        );
      }
    }
  } else {
    errors.push(
      fieldErrors.notSupported(
        strategyPath.child('type'),
        strategy.type ?? '',
        ['OnDelete', 'RollingUpdate'],
      ),
    );
  }
  const retention = s.persistentVolumeClaimRetentionPolicy ?? {};
  for (const field of ['whenDeleted', 'whenScaled']) {
    if (!['Retain', 'Delete'].includes(retention[field])) {
      errors.push(
        fieldErrors.notSupported(
          SPEC.child('persistentVolumeClaimRetentionPolicy', field),
          retention[field] ?? '',
          ['Retain', 'Delete'],
        ),
      );
    }
  }
  (s.volumeClaimTemplates ?? []).forEach((claim: Obj, i: number) => {
    const at = SPEC.child('volumeClaimTemplates').index(i);
    if (!claim.metadata?.name)
      errors.push(fieldErrors.required(at.child('metadata', 'name')));
    if (!claim.spec?.accessModes?.length) {
      errors.push(
        fieldErrors.required(
          at.child('spec', 'accessModes'),
          'at least 1 access mode is required',
        ),
      );
    }
  });
  return errors;
}

/** Validates a StatefulSet on create. */
export function validateStatefulSet(statefulSet: Obj): FieldError[] {
  return [
    ...validateObjectMeta(statefulSet.metadata, true, nameIsDnsSubdomain),
    ...validateStatefulSetSpec(statefulSet.spec),
  ];
}

/** Validates a StatefulSet update: only the fields Kubernetes lets change may. */
export function validateStatefulSetUpdate(
  newSet: Obj,
  oldSet: Obj,
): FieldError[] {
  const errors = [
    ...validateObjectMetaUpdate(newSet.metadata, oldSet.metadata),
    ...validateStatefulSetSpec(newSet.spec),
  ];
  const rest = (spec: Obj | undefined) => {
    const {
      replicas,
      ordinals,
      template,
      updateStrategy,
      revisionHistoryLimit,
      persistentVolumeClaimRetentionPolicy,
      minReadySeconds,
      ...others
    } = spec ?? {};
    return others;
  };
  if (validateImmutableField(rest(newSet.spec), rest(oldSet.spec), SPEC).length)
    errors.push(fieldErrors.forbidden(SPEC, STATEFUL_SET_MUTABLE));
  return errors;
}

function validateDaemonSetSpec(spec: Obj | undefined): FieldError[] {
  const s = spec ?? {};
  const errors = [
    ...validateNonnegative(s.minReadySeconds, SPEC.child('minReadySeconds')),
    ...validateNonnegative(
      s.revisionHistoryLimit,
      SPEC.child('revisionHistoryLimit'),
    ),
    ...validateSelectorAndTemplate(s, SPEC),
  ];
  const strategy = s.updateStrategy ?? {};
  const path = SPEC.child('updateStrategy');
  if (strategy.type === 'RollingUpdate') {
    const rolling = strategy.rollingUpdate ?? {};
    const at = path.child('rollingUpdate');
    errors.push(
      ...validatePositiveIntOrPercent(
        rolling.maxUnavailable,
        at.child('maxUnavailable'),
      ),
      ...validatePositiveIntOrPercent(rolling.maxSurge, at.child('maxSurge')),
    );
    const unavailable = intOrPercentValue(rolling.maxUnavailable);
    const surge = intOrPercentValue(rolling.maxSurge);
    if (unavailable === 0 && surge === 0) {
      errors.push(
        fieldErrors.invalid(
          at.child('maxUnavailable'),
          rolling.maxUnavailable,
          'may not be 0 when `maxSurge` is 0',
        ),
      );
    }
    if (unavailable !== 0 && surge !== 0) {
      errors.push(
        fieldErrors.invalid(
          at.child('maxSurge'),
          rolling.maxSurge,
          'may not be set when maxUnavailable is non-zero',
        ),
      );
    }
  } else if (strategy.type !== 'OnDelete') {
    errors.push(
      fieldErrors.notSupported(path.child('type'), strategy.type ?? '', [
        'OnDelete',
        'RollingUpdate',
      ]),
    );
  }
  return errors;
}

/** Validates a DaemonSet on create. */
export function validateDaemonSet(daemonSet: Obj): FieldError[] {
  return [
    ...validateObjectMeta(daemonSet.metadata, true, nameIsDnsSubdomain),
    ...validateDaemonSetSpec(daemonSet.spec),
  ];
}

/** Validates a DaemonSet update; the selector is immutable. */
export function validateDaemonSetUpdate(
  newSet: Obj,
  oldSet: Obj,
): FieldError[] {
  return [
    ...validateObjectMetaUpdate(newSet.metadata, oldSet.metadata),
    ...validateDaemonSetSpec(newSet.spec),
    ...validateImmutableField(
      newSet.spec?.selector,
      oldSet.spec?.selector,
      SPEC.child('selector'),
    ),
  ];
}
