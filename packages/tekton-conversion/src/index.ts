/**
 * Tekton's conversion of Task, Pipeline, TaskRun and PipelineRun between
 * tekton.dev/v1beta1 and tekton.dev/v1, on plain JSON. One implementation for
 * the dev cluster (which serves both versions and converts both ways, as
 * Tekton's conversion webhook does) and the portal's Pipelines and template
 * store plugins (which take v1beta1 YAML and work in v1). Isomorphic: no
 * dependencies, runs in browsers and Node.
 *
 * @packageDocumentation
 */
export {
  ConversionRefused,
  CONVERTED_KINDS,
  convertTektonObject,
  TASK_DEPRECATIONS_ANNOTATION,
  TEKTON_V1_API_VERSION,
  TEKTON_V1BETA1_API_VERSION,
} from './conversion';
export type { ConversionRefusal } from './conversion';
