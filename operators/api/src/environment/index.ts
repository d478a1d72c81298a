export * from './types';
export * from './constants';
export * from './config';
export * from './crd';
export * from './placement';
export * from './quota';
export * from './objects';
export * from './plan';
