export * from './delivery';
export * from './annotations';
export * from './match';
export * from './pipelineRun';
export * from './deliveryLog';
