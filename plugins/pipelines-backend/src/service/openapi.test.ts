import { buildOpenApiDocument } from './openapi';
import { createRouter } from './router';

describe('the OpenAPI description', () => {
  it('describes every route the router serves', async () => {
    const router = (await createRouter({} as any)) as any;
    const routes: string[] = router.stack
      .filter((layer: any) => layer.route)
      .flatMap((layer: any) =>
        Object.keys(layer.route.methods).map(
          method => `${method} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`,
        ),
      )
      .filter((route: string) => !/\/(health|openapi\.json)$/.test(route));
    const doc = buildOpenApiDocument();
    const described = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item as object).map(method => `${method} ${path}`),
    );
    expect(described.sort()).toEqual(routes.sort());
  });

  it('takes query and body schemas from the validators', () => {
    const doc = buildOpenApiDocument();
    const list = doc.paths['/runs'].get;
    expect(list.parameters).toContainEqual(
      expect.objectContaining({
        name: 'limit',
        in: 'query',
        required: false,
        schema: { default: 25, type: 'integer', minimum: 1, maximum: 200 },
      }),
    );
    // Without entityRef the list covers every entity the caller may read.
    expect(
      list.parameters.find((p: any) => p.name === 'entityRef').required,
    ).toBe(false);
    expect(list.parameters.map((p: any) => p.name)).toEqual(
      expect.arrayContaining(['entity', 'cluster', 'namespace']),
    );
    const start =
      doc.paths['/runs'].post.requestBody.content['application/json'].schema;
    expect(start.required).toEqual(['cluster', 'namespace', 'pipeline']);
    expect(start.additionalProperties).toBe(false);
  });
});
