/**
 * Permissions, request schemas, API shapes and pure logic shared by Cairn's
 * Rollouts plugins: a Stone's status and which actions it allows, the pods a
 * stage will move, and its pods' topology. Stone types and stage arithmetic
 * come from `@cairn/operators-api`. Isomorphic: runs in browsers and Node.
 *
 * @packageDocumentation
 */
export * from './permissions';
export * from './requests';
export * from './api';
export * from './status';
export * from './objects';
export * from './preview';
export * from './topology';
