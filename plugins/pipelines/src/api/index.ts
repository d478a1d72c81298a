export * from './types';
export * from './PipelinesApi';
export * from './PipelinesClient';
export * from './WebhooksApi';
