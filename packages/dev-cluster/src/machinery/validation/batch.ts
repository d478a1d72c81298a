/**
 * batch/v1 Job and CronJob defaulting and validation (pkg/apis/batch's
 * SetDefaults_Job / SetDefaults_CronJob and validation, and the registry
 * strategies' immutable fields).
 */

import { CronScheduleError, parseCronSchedule, zonedFields } from '../cron';
import { FieldError, fieldErrors, FieldPath } from '../errors';
import { labelSelectorMatcher, validateLabelSelector } from '../labels';
import {
  nameIsDnsSubdomain,
  Obj,
  validateImmutableField,
  validateNonnegative,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './meta';
import { applyPodSpecDefaults } from './defaults';
import { validatePodTemplateSpec } from './pod';

const SPEC = FieldPath.of('spec');
const MAX_INT32 = 2_147_483_647;

function withPodTemplateDefaults(template: Obj | undefined): Obj | undefined {
  return template
    ? { ...template, spec: applyPodSpecDefaults(template.spec) }
    : template;
}

/** SetDefaults_Job: parallelism and completions 1 when neither is set, backoffLimit 6, NonIndexed, not suspended. */
export function applyJobDefaults<T extends Obj>(job: T): T {
  const spec: Obj = { ...(job.spec ?? {}) };
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex !== undefined ? MAX_INT32 : 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= spec.podFailurePolicy
    ? 'Failed'
    : 'TerminatingOrFailed';
  if (spec.podFailurePolicy?.rules) {
    spec.podFailurePolicy = {
      ...spec.podFailurePolicy,
      rules: spec.podFailurePolicy.rules.map((rule: Obj) => ({
        ...rule,
        ...(rule.onPodConditions
          ? {
              onPodConditions: rule.onPodConditions.map((c: Obj) => ({
                status: 'True',
                ...c,
              })),
            }
          : {}),
      })),
    };
  }
  spec.template = withPodTemplateDefaults(spec.template);
  return { ...job, spec };
}

/** SetDefaults_CronJob, and the pod template defaults of its job template. */
export function applyCronJobDefaults<T extends Obj>(cronJob: T): T {
  const spec: Obj = { ...(cronJob.spec ?? {}) };
  spec.concurrencyPolicy ??= 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  const jobSpec = spec.jobTemplate?.spec;
  if (jobSpec?.template) {
    spec.jobTemplate = {
      ...spec.jobTemplate,
      spec: { ...jobSpec, template: withPodTemplateDefaults(jobSpec.template) },
    };
  }
  return { ...cronJob, spec };
}

const POD_FAILURE_ACTIONS = ['Count', 'FailIndex', 'FailJob', 'Ignore'];

function validatePodFailurePolicy(
  policy: Obj,
  restartPolicy: unknown,
  path: FieldPath,
): FieldError[] {
  const errors: FieldError[] = [];
  if (restartPolicy !== 'Never') {
    errors.push(
      fieldErrors.invalid(
        SPEC.child('template', 'spec', 'restartPolicy'),
        restartPolicy,
        'only "Never" is supported when podFailurePolicy is specified',
      ),
    );
  }
  (policy.rules ?? []).forEach((rule: Obj, i: number) => {
    const at = path.child('rules').index(i);
    if (!POD_FAILURE_ACTIONS.includes(rule.action)) {
      errors.push(
        fieldErrors.notSupported(
          at.child('action'),
          rule.action ?? '',
          POD_FAILURE_ACTIONS,
        ),
      );
    }
    if (rule.onExitCodes && rule.onPodConditions) {
      errors.push(
        fieldErrors.invalid(
          at,
          '',
          'specifying both OnExitCodes and OnPodConditions is not supported',
        ),
      );
    } else if (!rule.onExitCodes && !rule.onPodConditions) {
      errors.push(
        fieldErrors.invalid(
          at,
          '',
          'specifying one of OnExitCodes and OnPodConditions is required',
        ),
      );
    }
    const exit = rule.onExitCodes;
    if (exit) {
      const operators = ['In', 'NotIn'];
      if (!operators.includes(exit.operator)) {
        errors.push(
          fieldErrors.notSupported(
            at.child('onExitCodes', 'operator'),
            exit.operator ?? '',
            operators,
          ),
        );
      }
      if (!exit.values?.length) {
        errors.push(
          fieldErrors.invalid(
            at.child('onExitCodes', 'values'),
            exit.values ?? [],
            'at least one value is required',
          ),
        );
      }
      if (exit.operator === 'In' && exit.values?.includes(0)) {
        errors.push(
          fieldErrors.invalid(
            at.child('onExitCodes', 'values'),
            0,
            'must not be 0 for the In operator',
          ),
        );
      }
    }
  });
  return errors;
}

/** Validates a JobSpec (ValidateJobSpec); `requireSelector` is false inside a CronJob's job template. */
function validateJobSpec(
  spec: Obj | undefined,
  path: FieldPath,
  requireSelector: boolean,
): FieldError[] {
  const s = spec ?? {};
  const errors: FieldError[] = [];
  for (const field of [
    'parallelism',
    'completions',
    'backoffLimit',
    'ttlSecondsAfterFinished',
  ]) {
    errors.push(...validateNonnegative(s[field], path.child(field)));
  }
  if (
    s.activeDeadlineSeconds !== undefined &&
    s.activeDeadlineSeconds !== null &&
    s.activeDeadlineSeconds <= 0
  ) {
    errors.push(
      fieldErrors.invalid(
        path.child('activeDeadlineSeconds'),
        s.activeDeadlineSeconds,
        'must be greater than 0',
      ),
    );
  }
  const modes = ['NonIndexed', 'Indexed'];
  if (s.completionMode !== undefined && !modes.includes(s.completionMode)) {
    errors.push(
      fieldErrors.notSupported(
        path.child('completionMode'),
        s.completionMode,
        modes,
      ),
    );
  }
  if (s.completionMode === 'Indexed' && s.completions === undefined) {
    errors.push(
      fieldErrors.required(
        path.child('completions'),
        `when completion mode is ${s.completionMode}`,
      ),
    );
  }
  if (s.selector) {
    errors.push(...validateLabelSelector(s.selector, path.child('selector')));
  } else if (requireSelector) {
    errors.push(fieldErrors.required(path.child('selector')));
  }
  const templatePath = path.child('template');
  const template = s.template;
  if (!template) {
    errors.push(fieldErrors.required(templatePath));
    return errors;
  }
  if (s.selector) {
    let matches = true;
    try {
      matches = labelSelectorMatcher(s.selector)(
        template.metadata?.labels ?? {},
      );
    } catch {
      // The selector's own errors are reported above.
    }
    if (!matches) {
      errors.push(
        fieldErrors.invalid(
          templatePath.child('metadata', 'labels'),
          template.metadata?.labels ?? {},
          '`selector` does not match template `labels`',
        ),
      );
    }
  }
  errors.push(...validatePodTemplateSpec(template, templatePath));
  const restartPolicy = template.spec?.restartPolicy;
  if (restartPolicy !== 'OnFailure' && restartPolicy !== 'Never') {
    errors.push(
      fieldErrors.notSupported(
        templatePath.child('spec', 'restartPolicy'),
        restartPolicy ?? '',
        ['OnFailure', 'Never'],
      ),
    );
  }
  if (s.podFailurePolicy) {
    errors.push(
      ...validatePodFailurePolicy(
        s.podFailurePolicy,
        restartPolicy,
        path.child('podFailurePolicy'),
      ),
    );
  }
  return errors;
}

/** Validates a Job on create. */
export function validateJob(job: Obj): FieldError[] {
  return [
    ...validateObjectMeta(job.metadata, true, nameIsDnsSubdomain),
    ...validateJobSpec(job.spec, SPEC, true),
  ];
}

/**
 * Validates a Job update: selector, completionMode and completions are
 * immutable, and the pod template may change only while the job is
 * suspended (for a queue to set its scheduling directives).
 */
export function validateJobUpdate(newJob: Obj, oldJob: Obj): FieldError[] {
  const errors = [
    ...validateObjectMetaUpdate(newJob.metadata, oldJob.metadata),
    ...validateJobSpec(newJob.spec, SPEC, true),
    ...validateImmutableField(
      newJob.spec?.selector,
      oldJob.spec?.selector,
      SPEC.child('selector'),
    ),
    ...validateImmutableField(
      newJob.spec?.completionMode,
      oldJob.spec?.completionMode,
      SPEC.child('completionMode'),
    ),
    ...validateImmutableField(
      newJob.spec?.completions,
      oldJob.spec?.completions,
      SPEC.child('completions'),
    ),
  ];
  if (!oldJob.spec?.suspend) {
    errors.push(
      ...validateImmutableField(
        newJob.spec?.template,
        oldJob.spec?.template,
        SPEC.child('template'),
      ),
    );
  }
  return errors;
}

/** `Invalid value` for a schedule cron cannot parse, or one with TZ in it. */
function validateSchedule(schedule: unknown, path: FieldPath): FieldError[] {
  if (typeof schedule !== 'string' || !schedule) {
    return [fieldErrors.required(path)];
  }
  const errors: FieldError[] = [];
  try {
    parseCronSchedule(schedule);
  } catch (error) {
    if (!(error instanceof CronScheduleError)) throw error;
    errors.push(fieldErrors.invalid(path, schedule, error.message));
  }
  if (schedule.includes('TZ')) {
    errors.push(
      fieldErrors.invalid(
        path,
        schedule,
        'cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
      ),
    );
  }
  return errors;
}

function validateTimeZone(timeZone: unknown, path: FieldPath): FieldError[] {
  if (timeZone === undefined || timeZone === null) return [];
  const zone = String(timeZone);
  if (zone.toLowerCase() === 'local') {
    return [
      fieldErrors.invalid(
        path,
        zone,
        'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones',
      ),
    ];
  }
  try {
    zonedFields(new Date(0), zone);
    return [];
  } catch (error) {
    if (!(error instanceof CronScheduleError)) throw error;
    return [fieldErrors.invalid(path, zone, error.message)];
  }
}

function validateCronJobSpec(spec: Obj | undefined): FieldError[] {
  const s = spec ?? {};
  const errors = [
    ...validateSchedule(s.schedule, SPEC.child('schedule')),
    ...validateTimeZone(s.timeZone, SPEC.child('timeZone')),
    ...validateNonnegative(
      s.startingDeadlineSeconds,
      SPEC.child('startingDeadlineSeconds'),
    ),
    ...validateNonnegative(
      s.successfulJobsHistoryLimit,
      SPEC.child('successfulJobsHistoryLimit'),
    ),
    ...validateNonnegative(
      s.failedJobsHistoryLimit,
      SPEC.child('failedJobsHistoryLimit'),
    ),
  ];
  const policies = ['Allow', 'Forbid', 'Replace'];
  if (!policies.includes(s.concurrencyPolicy)) {
    errors.push(
      fieldErrors.notSupported(
        SPEC.child('concurrencyPolicy'),
        s.concurrencyPolicy ?? '',
        policies,
      ),
    );
  }
  errors.push(
    ...validateJobSpec(
      s.jobTemplate?.spec,
      SPEC.child('jobTemplate', 'spec'),
      false,
    ),
  );
  return errors;
}

/** A CronJob's name leaves room for the 11-character suffix of its jobs' names. */
function validateCronJobName(name: unknown): FieldError[] {
  return typeof name === 'string' && name.length > 52
    ? [
        fieldErrors.invalid(
          FieldPath.of('metadata', 'name'),
          name,
          'must be no more than 52 characters',
        ),
      ]
    : [];
}

/** Validates a CronJob on create. */
export function validateCronJob(cronJob: Obj): FieldError[] {
  return [
    ...validateObjectMeta(cronJob.metadata, true, nameIsDnsSubdomain),
    ...validateCronJobName(cronJob.metadata?.name),
    ...validateCronJobSpec(cronJob.spec),
  ];
}

/** Validates a CronJob update. */
export function validateCronJobUpdate(
  newCronJob: Obj,
  oldCronJob: Obj,
): FieldError[] {
  return [
    ...validateObjectMetaUpdate(newCronJob.metadata, oldCronJob.metadata),
    ...validateCronJobSpec(newCronJob.spec),
  ];
}
