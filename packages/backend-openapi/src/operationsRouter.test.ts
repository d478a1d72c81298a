import { AuditorService } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { NotAllowedError } from '@backstage/errors';
import express from 'express';
import request from 'supertest';
import { z } from 'zod';
import { buildOpenApiDocument } from './openapi';
import { testOpenApiDocument } from './testUtils';
import {
  createOperationsRouter,
  OperationHandler,
  parseInput,
  RoutedOperation,
  routesOfDocument,
  routesOfRouter,
} from './operationsRouter';

const itemPath = z.object({ name: z.string().regex(/^[a-z]+$/) });
const operations = {
  listItems: {
    method: 'get',
    path: '/items',
    summary: 'The items',
    query: z.object({ page: z.coerce.number().int().min(1).default(1) }),
    success: { status: 200, description: 'The items', schema: {} },
  },
  createItem: {
    method: 'post',
    path: '/items/:name',
    summary: 'Create an item',
    pathParams: itemPath,
    body: z.object({ size: z.number(), secret: z.string().optional() }),
    auditEventId: 'item-create',
    success: { status: 201, description: 'The item', schema: {} },
  },
  deleteItem: {
    method: 'delete',
    path: '/items/:name',
    summary: 'Delete an item',
    pathParams: itemPath,
    auditEventId: 'item-delete',
    success: { status: 204, description: 'Deleted' },
  },
  itemText: {
    method: 'get',
    path: '/items/:name/text',
    summary: 'An item as text',
    pathParams: itemPath,
    success: {
      status: 200,
      description: 'The text',
      contentType: 'text/plain',
      schema: { type: 'string' },
    },
  },
} satisfies Record<string, RoutedOperation>;

/** An auditor recording each event's id, meta and outcome. */
function recordingAuditor() {
  const events: { eventId: string; meta?: object; outcome?: string }[] = [];
  const auditor: AuditorService = {
    async createEvent({ eventId, meta }) {
      const event: (typeof events)[number] = { eventId, meta };
      events.push(event);
      return {
        async success() {
          event.outcome = 'success';
        },
        async fail({ error }) {
          event.outcome = `fail: ${error.message}`;
        },
      };
    },
  };
  return { auditor, events };
}

describe('createOperationsRouter', () => {
  const document = buildOpenApiDocument({
    info: { title: 'items', version: '1', description: 'Items' },
    operations,
  });

  function start(
    handlers: Partial<Record<keyof typeof operations, OperationHandler>>,
    options: { secretless?: boolean } = {},
  ) {
    const { auditor, events } = recordingAuditor();
    const none: OperationHandler = async () => {
      throw new Error('not called');
    };
    const router = createOperationsRouter({
      operations,
      handlers: {
        listItems: none,
        createItem: none,
        deleteItem: none,
        itemText: none,
        ...handlers,
      },
      document,
      // Without a token, the request has no credentials.
      httpAuth: mockServices.httpAuth({
        defaultCredentials: mockCredentials.none(),
      }),
      auditor,
      ...(options.secretless
        ? {
            auditMeta: ({ params, body }) =>
              body?.size === 0 ? undefined : { ...params, secret: undefined },
          }
        : {}),
    });
    const app = express().use(router).use(mockErrorHandler());
    return { app, events, router };
  }
  const user = { Authorization: mockCredentials.user.header() };

  it('passes the parsed inputs and the caller to the handler and answers with its status', async () => {
    const seen: unknown[] = [];
    const { app } = start({
      listItems: async (input, caller) => {
        seen.push(input, caller.credentials.principal);
        return { items: [] };
      },
    });
    const res = await request(app).get('/items?page=2').set(user);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [] });
    expect(seen).toEqual([
      { params: {}, query: { page: 2 }, body: undefined },
      { type: 'user', userEntityRef: 'user:default/mock' },
    ]);
  });

  it('refuses invalid input with a 400 naming where and which field', async () => {
    const { app, events } = start({});
    const path = await request(app)
      .post('/items/Bad')
      .set(user)
      .send({ size: 1 });
    expect(path.status).toBe(400);
    expect(path.body.error.message).toMatch(/^invalid path: name: /);
    const body = await request(app)
      .post('/items/good')
      .set(user)
      .send({ size: 'big' });
    expect(body.body.error.message).toMatch(/^invalid body: size: /);
    const query = await request(app).get('/items?page=0').set(user);
    expect(query.body.error.message).toMatch(/^invalid query: page: /);
    expect(events).toEqual([]);
  });

  it('refuses a request without credentials', async () => {
    const { app } = start({ listItems: async () => ({ items: [] }) });
    expect((await request(app).get('/items')).status).toBe(401);
  });

  it('audits a change before it is made, as succeeded or failed with the reason', async () => {
    const { app, events } = start({
      createItem: async ({ params, body }) => ({ ...params, ...body }),
      deleteItem: async () => {
        throw new NotAllowedError('not yours');
      },
    });
    const created = await request(app)
      .post('/items/good')
      .set(user)
      .send({ size: 1 });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ name: 'good', size: 1 });
    expect((await request(app).delete('/items/good').set(user)).status).toBe(
      403,
    );
    expect(events).toEqual([
      {
        eventId: 'item-create',
        meta: { name: 'good', size: 1 },
        outcome: 'success',
      },
      {
        eventId: 'item-delete',
        meta: { name: 'good' },
        outcome: 'fail: not yours',
      },
    ]);
  });

  it('records what auditMeta gives, and no event where it gives none', async () => {
    const { app, events } = start(
      { createItem: async () => ({}) },
      { secretless: true },
    );
    await request(app).post('/items/good').set(user).send({ size: 0 });
    await request(app)
      .post('/items/good')
      .set(user)
      .send({ size: 1, secret: 's' });
    expect(events).toEqual([
      { eventId: 'item-create', meta: { name: 'good' }, outcome: 'success' },
    ]);
  });

  it('sends no body for 204 and other content types as they are', async () => {
    const { app } = start({
      deleteItem: async () => undefined,
      itemText: async ({ params }) => `item ${params.name}`,
    });
    const deleted = await request(app).delete('/items/good').set(user);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    const text = await request(app).get('/items/good/text').set(user);
    expect(text.headers['content-type']).toMatch(/^text\/plain/);
    expect(text.text).toBe('item good');
  });

  it('serves its document, and serves every route it describes', async () => {
    const { app, router } = start({});
    expect((await request(app).get('/openapi.json')).body).toEqual(document);
    expect(routesOfRouter(router)).toEqual(routesOfDocument(document));
    expect(routesOfRouter(router)).toEqual([
      'delete /items/{name}',
      'get /items',
      'get /items/{name}/text',
      'post /items/{name}',
    ]);
  });
});

describe('parseInput', () => {
  it('gives the parsed value or an InputError naming each field', () => {
    expect(parseInput(itemPath, { name: 'a' }, 'path')).toEqual({ name: 'a' });
    expect(() => parseInput(itemPath, { name: 1 }, 'path')).toThrow(
      /^invalid path: name: /,
    );
  });
});

describe('testOpenApiDocument, on a router of the operations', () => {
  const document = buildOpenApiDocument({
    info: { title: 'items', version: '1', description: 'Items' },
    operations,
  });
  const none: OperationHandler = async () => undefined;
  testOpenApiDocument({
    document,
    router: async () =>
      createOperationsRouter({
        operations,
        handlers: {
          listItems: none,
          createItem: none,
          deleteItem: none,
          itemText: none,
        },
        document,
        httpAuth: mockServices.httpAuth(),
      }),
  });
});
