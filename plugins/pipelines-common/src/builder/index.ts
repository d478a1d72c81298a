export type { ValidationProblem } from './problems';
export {
  applyEdit,
  BuilderEditError,
  newPipelineYaml,
  parsePipelineYaml,
  pipelineToYaml,
  toEditablePipeline,
} from './document';
export type { BuilderEdit } from './document';
export { validatePipeline } from './validation';
export type { PipelineValidationContext } from './validation';
export { builderGraph } from './graph';
export type { BuilderGraph } from './graph';
export { completionsFor } from './completion';
export type { Completion } from './completion';
export { locateCompletionScope, locateProblems } from './locate';
export type { CompletionScope } from './locate';
