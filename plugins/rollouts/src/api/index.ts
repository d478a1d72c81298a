export * from './RolloutsApi';
export * from './RolloutsClient';
