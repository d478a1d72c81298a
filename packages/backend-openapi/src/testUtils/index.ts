/**
 * The drift tests every backend runs on its OpenAPI document.
 *
 * @packageDocumentation
 */
export { testOpenApiDocument } from './testOpenApiDocument';
export type { OpenApiDocumentTestOptions } from './testOpenApiDocument';
