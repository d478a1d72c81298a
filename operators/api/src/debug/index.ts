export * from './types';
export * from './constants';
export * from './crd';
export * from './profiles';
export * from './toolkits';
export * from './objects';
export * from './plan';
