import SwaggerParser from '@apidevtools/swagger-parser';
import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { CANCEL_MODES, RUN_STATUSES } from '@cairn/plugin-pipelines-common';
import express from 'express';
import request from 'supertest';
import { z } from 'zod';
import { component } from '../__testUtils__/entities';
import { API_OPERATIONS, buildOpenApiDocument, toOpenApiPath } from './openapi';
import { createRouter } from './router';

// Records the schema of every parseInput call, to hold each route's parsing
// against what the document says of it.
const mockParsed: Array<{ schema: z.ZodType; where: string }> = [];
jest.mock('./schemas', () => {
  const actual = jest.requireActual('./schemas');
  return {
    parseInput: (schema: z.ZodType, input: unknown, where: string) => {
      mockParsed.push({ schema, where });
      return actual.parseInput(schema, input, where);
    },
  };
});

type Json = Record<string, any>;

function jsonSchema(schema: z.ZodType): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  }) as Json;
  return rest;
}

const ENTITY_REF = 'component:default/shop';
const run = { cluster: 'dev', namespace: 'ci', name: 'build-x7k2p' };
const pipeline = {
  apiVersion: 'tekton.dev/v1',
  kind: 'Pipeline',
  metadata: { name: 'build' },
  spec: { tasks: [] },
};

/** A valid value of each query parameter a route may require. */
const QUERY_VALUES: Record<string, string> = {
  entityRef: ENTITY_REF,
  taskRun: 'build-x7k2p-compile',
  step: 'compile',
  cluster: 'dev',
  namespace: 'ci',
};

/** A valid body of each route that takes one. */
const BODIES: Record<string, object> = {
  'post /runs': { cluster: 'dev', namespace: 'ci', pipeline: 'build' },
  'post /pipelines': { cluster: 'dev', namespace: 'ci', pipeline },
  'put /pipelines/:cluster/:namespace/:name': {
    pipeline,
    resourceVersion: '7',
  },
};

/** The router over services that answer every call, as a signed-in user allowed everything. */
async function servingRouter() {
  let shutdown = () => {};
  const definition = { ...run, resourceVersion: '7', pipeline };
  const router = await createRouter({
    service: {
      listRuns: async () => ({ items: [], totalCount: 0, clusterErrors: [] }),
      listPipelines: async () => ({ items: [], clusterErrors: [] }),
      getRun: async () => ({}),
      startRun: async () => run,
      rerun: async () => run,
      cancel: async () => {},
      startPending: async () => {},
      deleteRun: async () => {},
    } as any,
    definitions: {
      targets: () => ({ clusters: ['dev'] }),
      listTasks: async () => ({ items: [], clusterErrors: [] }),
      getPipeline: async () => definition,
      createPipeline: async () => definition,
      updatePipeline: async () => definition,
    } as any,
    logs: {
      read: async () => ({ source: 'pod', content: 'done\n' }),
      follow: async () => ({ source: 'pod', content: 'done\n' }),
    } as any,
    events: {
      listen: () => {
        // The stream stays open until the server shuts down: end it here.
        setImmediate(() => shutdown());
        return { stop: () => {}, setScopes: () => {} };
      },
    } as any,
    catalog: catalogServiceMock({
      entities: [component('shop', { 'backstage.io/kubernetes-id': 'shop' })],
    }),
    httpAuth: mockServices.httpAuth(),
    permissions: mockServices.permissions({ result: AuthorizeResult.ALLOW }),
    auditor: {
      createEvent: async () => ({
        success: async () => {},
        fail: async () => {},
      }),
    } as any,
    logger: mockServices.logger.mock(),
    onShutdown: hook => {
      shutdown = hook;
    },
  });
  return express().use(router);
}

function registeredRoutes(router: any): string[] {
  return router.stack
    .filter((layer: any) => layer.route)
    .flatMap((layer: any) =>
      Object.keys(layer.route.methods).map(
        method => `${method} ${layer.route.path}`,
      ),
    )
    .filter((route: string) => !/\/(health|openapi\.json)$/.test(route));
}

describe('the OpenAPI document', () => {
  const doc = buildOpenApiDocument();
  const operation = (method: string, path: string) =>
    doc.paths[toOpenApiPath(path)][method];

  it('is valid OpenAPI 3.1', async () => {
    await expect(
      SwaggerParser.validate(structuredClone(doc) as any),
    ).resolves.toBeDefined();
  });

  it('describes every route the router serves, and no other', async () => {
    const router = await createRouter({} as any);
    const routes = registeredRoutes(router);
    expect(API_OPERATIONS.map(o => `${o.method} ${o.path}`).sort()).toEqual(
      routes.sort(),
    );
    const described = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item as object).map(method => `${method} ${path}`),
    );
    expect(described.sort()).toEqual(
      routes
        .map(route => {
          const [method, path] = route.split(' ');
          return `${method} ${toOpenApiPath(path)}`;
        })
        .sort(),
    );
  });

  it.each(API_OPERATIONS.map(o => [`${o.method} ${o.path}`, o] as const))(
    '%s parses exactly the parameters and body the document lists',
    async (route, { method, path }) => {
      const described = operation(method, path);
      const app = await servingRouter();
      const params = (where: string) =>
        described.parameters.filter((p: Json) => p.in === where);
      const query = Object.fromEntries(
        params('query')
          .filter((p: Json) => p.required || p.name === 'entityRef')
          .map((p: Json) => {
            expect(QUERY_VALUES).toHaveProperty(p.name);
            return [p.name, QUERY_VALUES[p.name]];
          }),
      );
      const url = path.replace(
        /:(\w+)/g,
        (_, name: keyof typeof run) => run[name],
      );
      mockParsed.length = 0;
      let call = (request(app) as any)[method](url).query(query);
      const body = BODIES[route];
      expect(body !== undefined).toBe(Boolean(described.requestBody?.required));
      if (body || described.requestBody) call = call.send(body ?? {});
      const response = await call;
      // The document's required inputs are all the route needs (on failure,
      // the route's error says what else it wanted).
      expect(
        response.status < 300
          ? 'served'
          : `${response.status} ${response.text}`,
      ).toBe('served');

      const parsedNames = (where: string) =>
        [
          ...new Set(
            mockParsed
              .filter(p => p.where === where)
              .flatMap(p => Object.keys(jsonSchema(p.schema).properties ?? {})),
          ),
        ].sort();
      expect(parsedNames('query')).toEqual(
        params('query')
          .map((p: Json) => p.name)
          .sort(),
      );
      expect(parsedNames('path')).toEqual(
        params('path')
          .map((p: Json) => p.name)
          .sort(),
      );
      const bodies = mockParsed.filter(p => p.where === 'body');
      expect(bodies.map(p => jsonSchema(p.schema))).toEqual(
        described.requestBody
          ? [described.requestBody.content['application/json'].schema]
          : [],
      );
    },
  );

  it('lists 401, 403, 404 and 413 with Backstage’s error body on every route', () => {
    for (const [path, item] of Object.entries<Json>(doc.paths)) {
      for (const [method, described] of Object.entries<Json>(item)) {
        for (const status of ['400', '401', '403', '404', '413']) {
          expect({
            route: `${method} ${path}`,
            status,
            schema:
              described.responses[status]?.content['application/json'].schema,
          }).toEqual({
            route: `${method} ${path}`,
            status,
            schema: { $ref: '#/components/schemas/Error' },
          });
        }
      }
    }
    expect(doc.components.schemas.Error.required).toEqual([
      'error',
      'response',
    ]);
  });

  it('documents whether a step log is followed', () => {
    const logs = operation('get', '/runs/:cluster/:namespace/:name/logs');
    expect(logs.parameters).toContainEqual(
      expect.objectContaining({
        name: 'follow',
        in: 'query',
        required: false,
        schema: { type: 'string', enum: ['true', 'false'] },
      }),
    );
  });

  it('takes query and body schemas from the validators', () => {
    const list = operation('get', '/runs');
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
    const start = operation('post', '/runs').requestBody.content[
      'application/json'
    ].schema;
    expect(start.required).toEqual(['cluster', 'namespace', 'pipeline']);
    expect(start.additionalProperties).toBe(false);
    expect(start.properties.pipeline).toMatchObject({
      type: 'string',
      maxLength: 253,
    });
  });

  it('names the statuses and cancel modes the code knows', () => {
    expect(doc.components.schemas.RunStatus.properties.status.enum).toEqual(
      RUN_STATUSES,
    );
    const cancel = operation('post', '/runs/:cluster/:namespace/:name/cancel')
      .requestBody.content['application/json'].schema;
    expect(cancel.properties.mode.enum).toEqual(CANCEL_MODES.map(m => m.mode));
  });
});
