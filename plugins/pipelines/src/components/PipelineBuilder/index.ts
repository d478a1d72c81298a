export { NewPipelinePage, EditPipelinePage } from './PipelineBuilderPage';
export { PipelinesCard } from './PipelinesCard';
