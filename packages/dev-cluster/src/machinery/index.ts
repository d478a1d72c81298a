/**
 * Kubernetes API machinery as pure functions over plain JSON objects:
 * errors and Status, quantities, label and field selectors, patches,
 * validation and defaulting, CRD schemas, RBAC and admission.
 */

export * from './errors';
export * from './quantity';
export * from './labels';
export * from './fields';
export * from './strategicMerge';
export * from './schema';
export * from './rbac';
export * from './admission';
export * from './validation';
