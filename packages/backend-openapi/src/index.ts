/**
 * OpenAPI 3.1 documents of Cairn's backend APIs, built from the zod schemas
 * their routers parse requests with, and the router that serves those
 * operations.
 *
 * @packageDocumentation
 */
export * from './openapi';
export * from './operationsRouter';
