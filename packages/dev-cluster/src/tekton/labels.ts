import { createHash } from 'node:crypto';
import type { Condition, ObjectMeta } from './types';

export const TEKTON_GROUP = 'tekton.dev';
export const TEKTON_VERSION = 'v1';
/** StepActions are served as tekton.dev/v1beta1. */
export const STEP_ACTION_VERSION = 'v1beta1';
export const TEKTON_API_VERSION = `${TEKTON_GROUP}/${TEKTON_VERSION}`;

/** Label keys Tekton sets (pkg/apis/pipeline/register.go). */
export const LABELS = {
  pipeline: 'tekton.dev/pipeline',
  pipelineRun: 'tekton.dev/pipelineRun',
  pipelineRunUid: 'tekton.dev/pipelineRunUID',
  pipelineTask: 'tekton.dev/pipelineTask',
  memberOf: 'tekton.dev/memberOf',
  task: 'tekton.dev/task',
  taskRun: 'tekton.dev/taskRun',
  taskRunUid: 'tekton.dev/taskRunUID',
  managedBy: 'app.kubernetes.io/managed-by',
} as const;

export const MANAGED_BY_TEKTON = 'tekton-pipelines';

/** Tells a TaskRun its pipeline task has onError: continue (its failure is then FailureIgnored). */
export const ON_ERROR_ANNOTATION = 'pipeline.tekton.dev/pipeline-task-on-error';

/** Annotations a child does not inherit (they describe the parent object itself). */
const NOT_PROPAGATED = ['kubectl.kubernetes.io/last-applied-configuration'];

/** A parent's labels and annotations as its child inherits them; the child's own win. */
export function propagatedMetadata(
  parent: ObjectMeta,
  own: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  },
): { labels: Record<string, string>; annotations: Record<string, string> } {
  const annotations = { ...parent.annotations };
  for (const key of NOT_PROPAGATED) delete annotations[key];
  return {
    labels: { ...parent.labels, ...own.labels },
    annotations: { ...annotations, ...own.annotations },
  };
}

/**
 * The labels and annotations a run inherits from its Pipeline or Task that it
 * does not have yet (its own values win), or undefined when it has them all.
 */
export function missingMetadata(
  own: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  },
  inherited: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  },
) {
  const missing = (
    ownValues: Record<string, string> = {},
    values: Record<string, string> = {},
  ) =>
    Object.fromEntries(
      Object.entries(values).filter(
        ([key]) => !(key in ownValues) && !NOT_PROPAGATED.includes(key),
      ),
    );
  const labels = missing(own.labels, inherited.labels);
  const annotations = missing(own.annotations, inherited.annotations);
  if (!Object.keys(labels).length && !Object.keys(annotations).length)
    return undefined;
  return {
    ...(Object.keys(labels).length ? { labels } : {}),
    ...(Object.keys(annotations).length ? { annotations } : {}),
  };
}

/** knative's kmeta.ChildName: parent + suffix, shortened with a hash past 63 characters. */
export function childName(parent: string, suffix: string): string {
  const name = parent + suffix;
  if (name.length <= 63) return name;
  const hash = createHash('md5').update(name).digest('hex');
  return `${parent.slice(
    0,
    Math.max(0, 63 - suffix.length - hash.length),
  )}${hash}${suffix}`.slice(0, 63);
}

export function ownerReference(
  kind: string,
  owner: ObjectMeta,
  apiVersion = TEKTON_API_VERSION,
) {
  return {
    apiVersion,
    kind,
    name: owner.name!,
    uid: owner.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function succeededCondition(status?: {
  conditions?: Condition[];
}): Condition | undefined {
  return status?.conditions?.find(c => c.type === 'Succeeded');
}

/** The Succeeded condition, keeping its transition time when its status is unchanged. */
export function conditionAt(
  previous: Condition | undefined,
  next: Omit<Condition, 'type' | 'lastTransitionTime'>,
  now: Date,
): Condition {
  const unchanged =
    previous?.status === next.status &&
    previous.reason === next.reason &&
    previous.message === next.message;
  return {
    type: 'Succeeded',
    ...next,
    lastTransitionTime:
      unchanged && previous?.lastTransitionTime
        ? previous.lastTransitionTime
        : now.toISOString(),
  };
}
