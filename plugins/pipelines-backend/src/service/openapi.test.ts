import { EntityAuthorizer } from '@cairn/plugin-kubernetes-node';
import { component } from '@cairn/plugin-kubernetes-node/testUtils';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { CANCEL_MODES, RUN_STATUSES } from '@cairn/plugin-pipelines-common';
import Ajv2020 from 'ajv/dist/2020';
import express from 'express';
import { Readable } from 'node:stream';
import request from 'supertest';
import { z } from 'zod';
import { toOpenApiPath } from '@cairn/backend-openapi';
import { testOpenApiDocument } from '@cairn/backend-openapi/testUtils';
import { API_OPERATIONS, buildOpenApiDocument } from './openapi';
import { AuthorizedWebhookDeliveries } from '../webhooks';
import { AuthorizedPipelineDefinitionsService } from './AuthorizedPipelineDefinitionsService';
import { AuthorizedPipelineRunsService } from './AuthorizedPipelineRunsService';
import { AuthorizedStepLogService } from './AuthorizedStepLogService';
import { createRouter } from './router';
import { summarizeRun } from './runQuery';

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
  q: 'error',
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

const storedDelivery = {
  id: 'github:d-1',
  provider: 'github',
  deliveryId: 'd-1',
  receivedAt: new Date(),
  signatureOk: true,
  outcome: 'no-match',
  runs: [],
  matches: [],
  duplicates: 0,
  headers: {},
  payload: '{}',
  processed: true,
};

/** The router over services that answer every call, as a signed-in user allowed everything. */
async function servingRouter() {
  let shutdown = () => {};
  const definition = { ...run, resourceVersion: '7', pipeline };
  const catalog = catalogServiceMock({
    entities: [component('shop', { 'backstage.io/kubernetes-id': 'shop' })],
  });
  const permissions = mockServices.permissions({
    result: AuthorizeResult.ALLOW,
  });
  const auditor = {
    createEvent: async () => ({
      success: async () => {},
      fail: async () => {},
    }),
  } as any;
  const authorizer = new EntityAuthorizer({ catalog, permissions, auditor });
  const runs = new AuthorizedPipelineRunsService(
    {
      listRuns: async () => ({ items: [], totalCount: 0, clusterErrors: [] }),
      listPipelines: async () => ({ items: [], clusterErrors: [] }),
      getRun: async () => ({}),
      startRun: async () => run,
      rerun: async () => run,
      cancel: async () => {},
      startPending: async () => {},
      deleteRun: async () => {},
    } as any,
    { authorizer, catalog, permissions },
  );
  const router = await createRouter({
    runs,
    definitions: new AuthorizedPipelineDefinitionsService(
      {
        targets: () => ({ clusters: ['dev'] }),
        listTasks: async () => ({ items: [], clusterErrors: [] }),
        getPipeline: async () => definition,
        createPipeline: async () => definition,
        updatePipeline: async () => definition,
      } as any,
      authorizer,
    ),
    logs: new AuthorizedStepLogService(
      {
        read: async () => ({
          source: 'archive',
          attempt: 0,
          size: 5,
          start: 0,
          stream: Readable.from(['done\n']),
          abort: () => {},
        }),
        search: async () => ({ matches: [], truncated: false }),
      } as any,
      runs,
    ),
    events: {
      listen: () => {
        // The stream stays open until the server shuts down: end it here.
        setImmediate(() => shutdown());
        return { stop: () => {}, setScopes: () => {} };
      },
    } as any,
    httpAuth: mockServices.httpAuth(),
    logger: mockServices.logger.mock(),
    webhooks: new AuthorizedWebhookDeliveries({
      deliveries: { redeliver: async () => storedDelivery },
      store: { list: async () => [storedDelivery] },
      catalog,
      permissions,
      auditor,
    } as any),
    onShutdown: hook => {
      shutdown = hook;
    },
  });
  return express().use(router);
}

describe('the OpenAPI document', () => {
  const doc = buildOpenApiDocument();
  const operation = (method: string, path: string) =>
    doc.paths[toOpenApiPath(path)][method];

  testOpenApiDocument({
    document: doc,
    router: () => createRouter({} as any),
    undocumented: ['get /health'],
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

  /** Checks a value against one of the document's component schemas. */
  function conforms(schemaName: string, value: unknown) {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    ajv.addSchema({ $id: 'doc', components: doc.components });
    const validate = ajv.compile({
      $ref: `doc#/components/schemas/${schemaName}`,
    });
    validate(value);
    return validate.errors ?? [];
  }

  it('describes the error body Backstage’s error handler sends', async () => {
    const app = (await servingRouter()).use(
      MiddlewareFactory.create({
        config: mockServices.rootConfig(),
        logger: mockServices.rootLogger(),
      }).error(),
    );
    const response = await request(app)
      .get('/runs/dev/Not_A_Name/x')
      .query({ entityRef: ENTITY_REF });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain(
      'namespace: Invalid value: "Not_A_Name"',
    );
    expect(conforms('Error', response.body)).toEqual([]);
    expect(conforms('Error', { message: 'not the body' })).not.toEqual([]);
  });

  it('describes a run summary as the server builds it, every field of it', () => {
    const summary = summarizeRun(
      ENTITY_REF,
      'dev',
      {
        apiVersion: 'tekton.dev/v1',
        kind: 'PipelineRun',
        metadata: {
          name: 'build-x7k2p',
          namespace: 'ci',
          uid: 'u-1',
          creationTimestamp: '2026-11-25T01:00:00Z',
          annotations: { 'cairn.dev/started-by': 'user:default/ada' },
          labels: {
            'tekton.dev/pipeline': 'build',
            'cairn.dev/rerun-of': 'build-a1b2c',
          },
        },
        spec: { pipelineRef: { name: 'build' } },
        status: {
          conditions: [
            {
              type: 'Succeeded',
              status: 'False',
              reason: 'Failed',
              message: 'm',
            },
          ],
          startTime: '2026-11-25T01:00:01Z',
          completionTime: '2026-11-25T01:02:01Z',
        },
      },
      [],
    );
    expect(Object.values(summary).every(v => v !== undefined)).toBe(true);
    expect(conforms('RunSummary', summary)).toEqual([]);
    expect(
      conforms('RunSummary', { ...summary, undocumented: true }),
    ).not.toEqual([]);
  });
});
