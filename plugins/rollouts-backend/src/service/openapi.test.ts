import { testOpenApiDocument } from '@cairn/backend-openapi/testUtils';
import { buildOpenApiDocument } from './openapi';
import { createRouter } from './router';

type Json = Record<string, any>;

describe('the OpenAPI document', () => {
  const doc = buildOpenApiDocument();

  testOpenApiDocument({
    document: doc,
    router: () => createRouter({} as any),
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
