import SwaggerParser from '@apidevtools/swagger-parser';
import { routesOfDocument, routesOfRouter } from '@cairn/backend-openapi';
import { API_OPERATIONS, buildOpenApiDocument } from './openapi';
import { createRouter } from './router';

type Json = Record<string, any>;

describe('the OpenAPI document', () => {
  const doc = buildOpenApiDocument();

  it('is valid OpenAPI 3.1', async () => {
    await expect(
      SwaggerParser.validate(structuredClone(doc) as any),
    ).resolves.toBeDefined();
  });

  it('describes every route the router serves, and no other', async () => {
    const served = routesOfRouter(await createRouter({} as any));
    expect(routesOfDocument(doc)).toEqual(served);
    expect(served).toHaveLength(Object.keys(API_OPERATIONS).length);
  });

  it('takes parameters and bodies from the request schemas', () => {
    const session = doc.paths['/sessions/{cluster}/{namespace}/{name}'];
    expect(
      session.delete.parameters.map((p: Json) => [p.name, p.in, p.required]),
    ).toEqual([
      ['cluster', 'path', true],
      ['namespace', 'path', true],
      ['name', 'path', true],
      ['entityRef', 'query', true],
    ]);
    const create =
      doc.paths['/sessions'].post.requestBody.content['application/json']
        .schema;
    expect(create.required).toEqual(
      expect.arrayContaining(['entityRef', 'cluster', 'namespace', 'pod']),
    );
    expect(
      Object.keys(doc.paths['/recordings/{id}'].get.responses['200'].content),
    ).toEqual(['application/x-asciicast']);
  });
});
