export { PipelineBuilder } from './PipelineBuilder';
export type { BuilderSubject } from './PipelineBuilder';
export { NewPipelinePage, EditPipelinePage } from './PipelineBuilderPage';
export { PipelinesCard } from './PipelinesCard';
