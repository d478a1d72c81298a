import { isKubernetesAvailable } from '@cairn/plugin-kubernetes-common';

/**
 * Cairn's opt-in annotation: an entity with `cairn.dev/pipelines: "true"`
 * gets the CI/CD tab.
 * @public
 */
export const PIPELINES_ANNOTATION = 'cairn.dev/pipelines';

/**
 * The Backstage community Tekton plugin's opt-in annotation. Accepted too, so
 * catalogs already annotated for that plugin work with Cairn unchanged.
 * @public
 */
export const TEKTON_CICD_ANNOTATION = 'tekton.dev/cicd';

/**
 * Tekton Pipelines' API group and the version Cairn speaks, as Kubernetes
 * clients name them (`apiVersion` is {@link TEKTON_API_VERSION}).
 * @public
 */
export const TEKTON_API = { group: 'tekton.dev', version: 'v1' } as const;

/**
 * The labels Tekton sets on the objects it creates.
 * @public
 */
export const TEKTON_LABELS = {
  pipeline: 'tekton.dev/pipeline',
  pipelineRun: 'tekton.dev/pipelineRun',
  pipelineTask: 'tekton.dev/pipelineTask',
  task: 'tekton.dev/task',
  taskRun: 'tekton.dev/taskRun',
  memberOf: 'tekton.dev/memberOf',
} as const;

/**
 * Annotation the portal sets on each run it creates (start and rerun): the
 * entity ref of the user who asked for it.
 * @public
 */
export const STARTED_BY_ANNOTATION = 'cairn.dev/started-by';

/**
 * Label Cairn sets on a rerun, naming the run it repeats (Tekton Dashboard
 * uses `dashboard.tekton.dev/rerunOf` the same way).
 * @public
 */
export const RERUN_OF_LABEL = 'cairn.dev/rerun-of';

/**
 * Whether an entity opted in to the CI/CD tab: `cairn.dev/pipelines: "true"`
 * or the community plugin's `tekton.dev/cicd: "true"`; either needs a way to
 * find its objects (`backstage.io/kubernetes-id` or a label selector).
 * @public
 */
export function isPipelinesAvailable(entity: {
  metadata: { annotations?: Record<string, string> };
}): boolean {
  const annotations = entity.metadata.annotations ?? {};
  const optedIn = [PIPELINES_ANNOTATION, TEKTON_CICD_ANNOTATION].some(
    key => annotations[key]?.trim().toLowerCase() === 'true',
  );
  return optedIn && isKubernetesAvailable(entity);
}
