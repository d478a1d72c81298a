/**
 * autoscaling/v2 HorizontalPodAutoscaler validation
 * (ValidateHorizontalPodAutoscalerSpec, for Resource metrics).
 */

import { FieldError, fieldErrors, FieldPath } from '../errors';
import {
  nameIsDnsSubdomain,
  Obj,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './meta';

const SPEC = FieldPath.of('spec');
const METRIC_TYPES = [
  'ContainerResource',
  'External',
  'Object',
  'Pods',
  'Resource',
];

function validateSpec(spec: Obj | undefined): FieldError[] {
  const s = spec ?? {};
  const errors: FieldError[] = [];
  if (s.minReplicas !== undefined && s.minReplicas < 1) {
    errors.push(
      fieldErrors.invalid(
        SPEC.child('minReplicas'),
        s.minReplicas,
        'must be greater than or equal to 1',
      ),
    );
  }
  if (!(s.maxReplicas >= 1)) {
    errors.push(
      fieldErrors.invalid(
        SPEC.child('maxReplicas'),
        s.maxReplicas ?? 0,
        'must be greater than 0',
      ),
    );
  }
  if (s.minReplicas !== undefined && s.maxReplicas < s.minReplicas) {
    errors.push(
      fieldErrors.invalid(
        SPEC.child('maxReplicas'),
        s.maxReplicas,
        'must be greater than or equal to `minReplicas`',
      ),
    );
  }
  const ref = s.scaleTargetRef ?? {};
  if (!ref.kind)
    errors.push(fieldErrors.required(SPEC.child('scaleTargetRef', 'kind')));
  if (!ref.name)
    errors.push(fieldErrors.required(SPEC.child('scaleTargetRef', 'name')));
  (s.metrics ?? []).forEach((metric: Obj, i: number) => {
    const at = SPEC.child('metrics').index(i);
    if (!METRIC_TYPES.includes(metric.type)) {
      errors.push(
        fieldErrors.notSupported(
          at.child('type'),
          metric.type ?? '',
          METRIC_TYPES,
        ),
      );
      return;
    }
    if (metric.type !== 'Resource') return;
    const target = metric.resource?.target ?? {};
    if (!metric.resource?.name)
      errors.push(fieldErrors.required(at.child('resource', 'name')));
    if (target.type === 'Utilization') {
      if (!(target.averageUtilization >= 1))
        errors.push(
          fieldErrors.invalid(
            at.child('resource', 'target', 'averageUtilization'),
            target.averageUtilization ?? 0,
            'must be greater than 0',
          ),
        );
    } else if (target.type === 'AverageValue') {
      if (target.averageValue === undefined)
        errors.push(
          fieldErrors.required(
            at.child('resource', 'target', 'averageValue'),
            'must specify a positive target averageValue',
          ),
        );
    } else {
      errors.push(
        fieldErrors.notSupported(
          at.child('resource', 'target', 'type'),
          target.type ?? '',
          ['AverageValue', 'Utilization'],
        ),
      );
    }
  });
  return errors;
}

/** Validates a HorizontalPodAutoscaler on create. */
export function validateHorizontalPodAutoscaler(hpa: Obj): FieldError[] {
  return [
    ...validateObjectMeta(hpa.metadata, true, nameIsDnsSubdomain),
    ...validateSpec(hpa.spec),
  ];
}

/** Validates a HorizontalPodAutoscaler update. */
export function validateHorizontalPodAutoscalerUpdate(
  newHpa: Obj,
  oldHpa: Obj,
): FieldError[] {
  return [
    ...validateObjectMetaUpdate(newHpa.metadata, oldHpa.metadata),
    ...validateSpec(newHpa.spec),
  ];
}
