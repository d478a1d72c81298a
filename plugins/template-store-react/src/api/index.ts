export * from './TemplateStoreApi';
export * from './TemplateStoreClient';
