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
