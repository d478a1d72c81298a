export { RunDetail, RUN_REFRESH_MS } from './RunDetail';
export { PipelineDag } from './PipelineDag';
