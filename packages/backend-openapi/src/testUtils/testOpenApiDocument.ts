// This helper registers tests in the describe of the test that calls it, so it
// must export (it is shared by the backends' drift tests, not a test file).
/* eslint-disable jest/no-export */
import SwaggerParser from '@apidevtools/swagger-parser';
import express from 'express';
import { JsonSchema } from '../openapi';
import { routesOfDocument, routesOfRouter } from '../operationsRouter';

/** Options of {@link testOpenApiDocument}. */
export interface OpenApiDocumentTestOptions {
  /** The backend's document, as it serves it at `/openapi.json`. */
  document: JsonSchema;
  /** The backend's router (built without its services: only its routes are read). */
  router: () => Promise<express.Router>;
  /** Routes the router serves outside the document (`get /health`, say). */
  undocumented?: string[];
}

/**
 * Registers the drift tests of a backend's OpenAPI document, in the jest
 * `describe` it is called in: the document is valid OpenAPI 3.1, and it
 * describes every route the router serves, and no other.
 */
export function testOpenApiDocument(options: OpenApiDocumentTestOptions) {
  const undocumented = new Set(options.undocumented);

  it('is valid OpenAPI 3.1', async () => {
    await expect(
      SwaggerParser.validate(structuredClone(options.document) as any),
    ).resolves.toBeDefined();
  });

  it('describes every route the router serves, and no other', async () => {
    const served = routesOfRouter(await options.router()).filter(
      route => !undocumented.has(route),
    );
    expect(routesOfDocument(options.document)).toEqual(served);
  });
}
