import SwaggerParser from '@apidevtools/swagger-parser';
import { z } from 'zod';
import {
  buildOpenApiDocument,
  errorResponse,
  jsonResponse,
  schemaRef,
  toOpenApiPath,
  toParameters,
} from './openapi';

const itemPath = z.object({ cluster: z.string(), name: z.string() });
const itemQuery = z.object({
  entityRef: z.string().describe('The entity'),
  page: z.coerce.number().int().optional(),
});

describe('toOpenApiPath', () => {
  it('writes Express path parameters as OpenAPI does', () => {
    expect(toOpenApiPath('/items/:cluster/:name/log')).toBe(
      '/items/{cluster}/{name}/log',
    );
  });
});

describe('toParameters', () => {
  it('gives one parameter per property, path parameters always required', () => {
    expect(toParameters(itemPath, 'path')).toEqual([
      {
        name: 'cluster',
        in: 'path',
        required: true,
        schema: { type: 'string' },
      },
      { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
    ]);
  });

  it('takes descriptions from the schema unless given, and optional as not required', () => {
    const [entityRef, page] = toParameters(itemQuery, 'query', {
      page: 'Which page',
    });
    expect(entityRef).toMatchObject({
      name: 'entityRef',
      required: true,
      description: 'The entity',
    });
    expect(page).toMatchObject({
      name: 'page',
      required: false,
      description: 'Which page',
    });
  });
});

describe('buildOpenApiDocument', () => {
  const doc = buildOpenApiDocument({
    info: { title: 'items', version: '1', description: 'Items' },
    servers: [{ url: '/api/items' }],
    operations: {
      getItem: {
        method: 'get',
        path: '/items/:cluster/:name',
        summary: 'One item',
        pathParams: itemPath,
        query: itemQuery,
        success: {
          status: 200,
          description: 'The item',
          schema: schemaRef('Item'),
        },
      },
      updateItem: {
        method: 'put',
        path: '/items/:cluster/:name',
        summary: 'Change an item',
        pathParams: itemPath,
        body: z.object({ size: z.number() }).strict(),
        success: { status: 204, description: 'Changed' },
      },
      touchItem: {
        method: 'post',
        path: '/items/:cluster/:name/touch',
        summary: 'Touch it',
        pathParams: itemPath,
        body: z.object({ at: z.string().optional() }),
        responses: { '204': jsonResponse('Touched') },
      },
      upload: {
        method: 'post',
        path: '/uploads',
        summary: 'Upload a file',
        body: {
          requestBody: {
            required: true,
            content: {
              'application/gzip': {
                schema: { type: 'string', format: 'binary' },
              },
            },
          },
        },
        responses: { '201': jsonResponse('Uploaded') },
      },
    },
    errorResponses: { '404': errorResponse('No such item') },
    schemas: { Item: { type: 'object' } },
  });

  it('is valid OpenAPI 3.1', async () => {
    await expect(
      SwaggerParser.validate(structuredClone(doc) as any),
    ).resolves.toBeDefined();
  });

  it('puts the operations of one path together, with their ids', () => {
    expect(Object.keys(doc.paths)).toEqual([
      '/items/{cluster}/{name}',
      '/items/{cluster}/{name}/touch',
      '/uploads',
    ]);
    const item = doc.paths['/items/{cluster}/{name}'];
    expect(Object.keys(item)).toEqual(['get', 'put']);
    expect(item.get.operationId).toBe('getItem');
    expect(item.get.parameters.map((p: any) => [p.name, p.in])).toEqual([
      ['cluster', 'path'],
      ['name', 'path'],
      ['entityRef', 'query'],
      ['page', 'query'],
    ]);
  });

  it('describes the responses of success', () => {
    const item = doc.paths['/items/{cluster}/{name}'];
    expect(item.get.responses['200']).toEqual(
      jsonResponse('The item', schemaRef('Item')),
    );
    expect(item.put.responses['204']).toEqual({ description: 'Changed' });
    expect(
      doc.paths['/items/{cluster}/{name}/touch'].post.responses['204'],
    ).toEqual({ description: 'Touched' });
  });

  it('requires a JSON body unless all its fields may be left out', () => {
    const put = doc.paths['/items/{cluster}/{name}'].put.requestBody;
    expect(put.required).toBe(true);
    expect(put.content['application/json'].schema).toEqual({
      type: 'object',
      properties: { size: { type: 'number' } },
      required: ['size'],
      additionalProperties: false,
    });
    expect(
      doc.paths['/items/{cluster}/{name}/touch'].post.requestBody.required,
    ).toBe(false);
    expect(Object.keys(doc.paths['/uploads'].post.requestBody.content)).toEqual(
      ['application/gzip'],
    );
  });

  it('adds the error responses to every operation, with Backstage’s error body', () => {
    for (const item of Object.values(doc.paths))
      for (const operation of Object.values<any>(item))
        expect(operation.responses['404']).toEqual(
          errorResponse('No such item'),
        );
    expect(Object.keys(doc.components.schemas)).toEqual(['Error', 'Item']);
  });

  it('leaves operationId out of a list of operations', () => {
    const listed = buildOpenApiDocument({
      info: { title: 'x', version: '1', description: 'x' },
      operations: [
        {
          method: 'get',
          path: '/x',
          summary: 'x',
          responses: { '200': jsonResponse('x') },
        },
      ],
    });
    expect(listed.paths['/x'].get.operationId).toBeUndefined();
  });
});
