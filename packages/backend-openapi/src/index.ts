/**
 * OpenAPI 3.1 documents of Cairn's backend APIs, built from the zod schemas
 * their routers parse requests with.
 *
 * @packageDocumentation
 */
export * from './openapi';
