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
    const approve =
      doc.paths['/stones/{cluster}/{namespace}/{name}/approve'].post;
    expect(
      approve.parameters.map((p: Json) => [p.name, p.in, p.required]),
    ).toEqual([
      ['cluster', 'path', true],
      ['namespace', 'path', true],
      ['name', 'path', true],
      ['entityRef', 'query', true],
    ]);
    const body = approve.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(['stage', 'resourceVersion']);
    expect(body.properties.stage.enum).toEqual([
      'Alpha',
      'Beta',
      'Omega',
      'Release',
    ]);
    expect(
      doc.paths['/stones'].get.parameters.map((p: Json) => [
        p.name,
        p.required,
      ]),
    ).toEqual([['entityRef', false]]);
  });
});
