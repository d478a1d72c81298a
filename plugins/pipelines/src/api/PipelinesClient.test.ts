import { registerMswTestHooks } from '@backstage/test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { PipelinesClient } from './PipelinesClient';

const baseUrl = 'http://localhost:7007/api/pipelines';
const server = setupServer();
registerMswTestHooks(server);

const client = new PipelinesClient({
  discoveryApi: { getBaseUrl: async () => baseUrl },
  fetchApi: { fetch: (input, init) => fetch(input, init) },
});
const run = { cluster: 'dev', namespace: 'shop', name: 'build-x1' };
const entityRef = 'component:default/shop';

describe('PipelinesClient', () => {
  it('lists runs with the filters, sort and cursor as query params', async () => {
    let url: URL | undefined;
    server.use(
      http.get(`${baseUrl}/runs`, ({ request }) => {
        url = new URL(request.url);
        return HttpResponse.json({
          items: [],
          totalCount: 0,
          clusterErrors: [],
        });
      }),
    );
    await client.listRuns({
      entityRef,
      status: ['running', 'failed'],
      pipeline: ['build'],
      namespace: 'shop',
      label: 'team=a',
      search: 'x1',
      sort: 'duration',
      order: 'asc',
      limit: 10,
      cursor: 'abc',
    });
    expect(Object.fromEntries(url!.searchParams)).toEqual({
      entityRef,
      status: 'running,failed',
      pipeline: 'build',
      namespace: 'shop',
      label: 'team=a',
      search: 'x1',
      sort: 'duration',
      order: 'asc',
      limit: '10',
      cursor: 'abc',
    });
  });

  it("lists every readable entity's runs without entityRef, filtered by entity and cluster", async () => {
    let url: URL | undefined;
    server.use(
      http.get(`${baseUrl}/runs`, ({ request }) => {
        url = new URL(request.url);
        return HttpResponse.json({
          items: [],
          totalCount: 0,
          clusterErrors: [],
        });
      }),
    );
    await client.listRuns({
      entity: [entityRef, 'component:default/cart'],
      cluster: 'prod',
    });
    expect(Object.fromEntries(url!.searchParams)).toEqual({
      entity: 'component:default/shop,component:default/cart',
      cluster: 'prod',
    });
  });

  it('gets a run by cluster, namespace and name', async () => {
    server.use(
      http.get(`${baseUrl}/runs/dev/shop/build-x1`, ({ request }) =>
        HttpResponse.json({
          entityRef: new URL(request.url).searchParams.get('entityRef'),
        }),
      ),
    );
    await expect(client.getRun(entityRef, run)).resolves.toEqual({
      entityRef,
    });
  });

  it('starts, reruns, cancels and deletes with the route shapes', async () => {
    const calls: Array<{ method: string; path: string; body?: unknown }> = [];
    const record = async ({ request }: { request: Request }) => {
      const text = await request.text();
      calls.push({
        method: request.method,
        path: new URL(request.url).pathname,
        body: text ? JSON.parse(text) : undefined,
      });
      return request.method === 'POST' &&
        !request.url.includes('/cancel') &&
        !request.url.includes('/start')
        ? HttpResponse.json(
            { cluster: 'dev', namespace: 'shop', name: 'build-y2' },
            { status: 201 },
          )
        : new HttpResponse(null, { status: 204 });
    };
    server.use(
      http.post(`${baseUrl}/runs`, record),
      http.post(`${baseUrl}/runs/dev/shop/build-x1/rerun`, record),
      http.post(`${baseUrl}/runs/dev/shop/build-x1/cancel`, record),
      http.post(`${baseUrl}/runs/dev/shop/build-x1/start`, record),
      http.delete(`${baseUrl}/runs/dev/shop/build-x1`, record),
    );
    await expect(
      client.startRun(entityRef, {
        cluster: 'dev',
        namespace: 'shop',
        pipeline: 'build',
        params: { revision: 'main' },
      }),
    ).resolves.toEqual({ cluster: 'dev', namespace: 'shop', name: 'build-y2' });
    await client.rerun(entityRef, run, { revision: 'v2' });
    await client.cancelRun(entityRef, run, 'StoppedRunFinally');
    await client.startPendingRun(entityRef, run);
    await client.deleteRun(entityRef, run);
    expect(calls).toEqual([
      {
        method: 'POST',
        path: '/api/pipelines/runs',
        body: {
          cluster: 'dev',
          namespace: 'shop',
          pipeline: 'build',
          params: { revision: 'main' },
        },
      },
      {
        method: 'POST',
        path: '/api/pipelines/runs/dev/shop/build-x1/rerun',
        body: { params: { revision: 'v2' } },
      },
      {
        method: 'POST',
        path: '/api/pipelines/runs/dev/shop/build-x1/cancel',
        body: { mode: 'StoppedRunFinally' },
      },
      {
        method: 'POST',
        path: '/api/pipelines/runs/dev/shop/build-x1/start',
        body: {},
      },
      {
        method: 'DELETE',
        path: '/api/pipelines/runs/dev/shop/build-x1',
        body: undefined,
      },
    ]);
  });

  it('lists the pipelines of an entity', async () => {
    server.use(
      http.get(`${baseUrl}/pipelines`, ({ request }) =>
        HttpResponse.json({
          items: [],
          clusterErrors: [],
          entityRef: new URL(request.url).searchParams.get('entityRef'),
        }),
      ),
    );
    await expect(client.listPipelines(entityRef)).resolves.toMatchObject({
      entityRef,
    });
  });

  it("reads the tail of a step's log with where it starts", async () => {
    let query: Record<string, string> = {};
    server.use(
      http.get(`${baseUrl}/runs/dev/shop/build-x1/logs`, ({ request }) => {
        query = Object.fromEntries(new URL(request.url).searchParams);
        return new HttpResponse('\u001b[32mok\u001b[0m\n', {
          headers: {
            'Content-Type': 'text/plain; charset=utf-8',
            'X-Cairn-Log-Source': 'archive',
            'X-Cairn-Log-Start': '100',
            'X-Cairn-Log-Size': '112',
          },
        });
      }),
    );
    await expect(
      client.getStepLog(
        entityRef,
        run,
        { taskRun: 'build-x1-test', step: 'unit' },
        { tail: 12 },
      ),
    ).resolves.toEqual({
      source: 'archive',
      start: 100,
      size: 112,
      text: '\u001b[32mok\u001b[0m\n',
    });
    expect(query).toEqual({
      entityRef,
      taskRun: 'build-x1-test',
      step: 'unit',
      tail: '12',
    });
  });

  it("follows a running step's log chunk by chunk", async () => {
    let follow: string | null = null;
    server.use(
      http.get(`${baseUrl}/runs/dev/shop/build-x1/logs`, ({ request }) => {
        follow = new URL(request.url).searchParams.get('follow');
        const encoder = new TextEncoder();
        const stream = new ReadableStream({
          start(controller) {
            controller.enqueue(encoder.encode('line 1\n'));
            controller.enqueue(encoder.encode('line 2\n'));
            controller.close();
          },
        });
        return new HttpResponse(stream, {
          headers: { 'Content-Type': 'text/plain; charset=utf-8' },
        });
      }),
    );
    const chunks: string[] = [];
    await client.followStepLog(
      entityRef,
      run,
      { taskRun: 'build-x1-test', step: 'unit' },
      chunk => chunks.push(chunk),
      new AbortController().signal,
    );
    expect(follow).toBe('true');
    expect(chunks.join('')).toBe('line 1\nline 2\n');
  });

  it('receives pushed run changes from the event stream', async () => {
    let query: string | null = null;
    server.use(
      http.get(`${baseUrl}/runs/events`, ({ request }) => {
        query = new URL(request.url).searchParams.get('entityRef');
        const encoder = new TextEncoder();
        const stream = new ReadableStream({
          start(controller) {
            controller.enqueue(encoder.encode(': connected\n\n'));
            controller.enqueue(
              encoder.encode(
                'event: run\ndata: {"cluster":"dev","namespace":"shop","name":"a"',
              ),
            );
            controller.enqueue(
              encoder.encode(
                ',"status":{"status":"running","label":"Running"}}\n\nevent: deleted\ndata: {"cluster":"dev","namespace":"shop","name":"b"}\n\n: ping\n\n',
              ),
            );
            controller.close();
          },
        });
        return new HttpResponse(stream, {
          headers: { 'Content-Type': 'text/event-stream' },
        });
      }),
    );
    const received: unknown[] = [];
    await client.watchRuns(
      entityRef,
      changes => received.push(...changes),
      new AbortController().signal,
    );
    expect(query).toBe(entityRef);
    expect(received).toEqual([
      {
        type: 'run',
        run: {
          cluster: 'dev',
          namespace: 'shop',
          name: 'a',
          status: { status: 'running', label: 'Running' },
        },
      },
      {
        type: 'deleted',
        run: { cluster: 'dev', namespace: 'shop', name: 'b' },
      },
    ]);
  });

  it("throws a ResponseError carrying the server's message", async () => {
    server.use(
      http.post(`${baseUrl}/runs/dev/shop/build-x1/cancel`, () =>
        HttpResponse.json(
          {
            error: {
              name: 'ConflictError',
              message: 'pipeline run "build-x1" has already finished',
            },
            request: { method: 'POST', url: '/runs' },
            response: { statusCode: 409 },
          },
          { status: 409 },
        ),
      ),
    );
    await expect(
      client.cancelRun(entityRef, run, 'Cancelled'),
    ).rejects.toMatchObject({
      name: 'ResponseError',
      // Shown first by error panels, instead of "Request failed with 409".
      message: 'pipeline run "build-x1" has already finished',
      statusCode: 409,
      body: {
        error: { message: 'pipeline run "build-x1" has already finished' },
      },
    });
  });
  describe('the pipeline builder', () => {
    const ref = { cluster: 'dev', namespace: 'shop', name: 'build' };
    const pipeline = {
      apiVersion: 'tekton.dev/v1',
      kind: 'Pipeline' as const,
      metadata: { name: 'build' },
      spec: { tasks: [] },
    };
    const definition = { ...ref, resourceVersion: '7', pipeline };

    it('loads, creates and updates a Pipeline with the route shapes', async () => {
      const calls: Array<{
        method: string;
        path: string;
        entityRef: string | null;
        body?: unknown;
      }> = [];
      const record = async ({ request }: { request: Request }) => {
        const text = await request.text();
        const url = new URL(request.url);
        calls.push({
          method: request.method,
          path: url.pathname,
          entityRef: url.searchParams.get('entityRef'),
          body: text ? JSON.parse(text) : undefined,
        });
        return HttpResponse.json(definition, {
          status: request.method === 'POST' ? 201 : 200,
        });
      };
      server.use(
        http.get(`${baseUrl}/pipelines/dev/shop/build`, record),
        http.post(`${baseUrl}/pipelines`, record),
        http.put(`${baseUrl}/pipelines/dev/shop/build`, record),
      );
      await expect(client.getPipeline(entityRef, ref)).resolves.toEqual(
        definition,
      );
      await expect(
        client.createPipeline(entityRef, {
          cluster: 'dev',
          namespace: 'shop',
          pipeline,
        }),
      ).resolves.toEqual(definition);
      await expect(
        client.updatePipeline(entityRef, ref, {
          pipeline,
          resourceVersion: '6',
        }),
      ).resolves.toEqual(definition);
      expect(calls).toEqual([
        {
          method: 'GET',
          path: '/api/pipelines/pipelines/dev/shop/build',
          entityRef,
          body: undefined,
        },
        {
          method: 'POST',
          path: '/api/pipelines/pipelines',
          entityRef,
          body: { cluster: 'dev', namespace: 'shop', pipeline },
        },
        {
          method: 'PUT',
          path: '/api/pipelines/pipelines/dev/shop/build',
          entityRef,
          body: { pipeline, resourceVersion: '6' },
        },
      ]);
    });

    it('reports a concurrent change as a ResponseError with status 409', async () => {
      const message =
        'pipeline "build" was changed by someone else since you loaded it; reload it and apply your change again';
      server.use(
        http.put(`${baseUrl}/pipelines/dev/shop/build`, () =>
          HttpResponse.json(
            {
              error: { name: 'ConflictError', message },
              request: { method: 'PUT', url: '/pipelines/dev/shop/build' },
              response: { statusCode: 409 },
            },
            { status: 409 },
          ),
        ),
      );
      await expect(
        client.updatePipeline(entityRef, ref, {
          pipeline,
          resourceVersion: '6',
        }),
      ).rejects.toMatchObject({
        name: 'ResponseError',
        statusCode: 409,
        body: { error: { message } },
      });
    });

    it('lists the Tasks of a namespace and the targets of an entity', async () => {
      let tasksQuery: Record<string, string> = {};
      let targetsQuery: Record<string, string> = {};
      server.use(
        http.get(`${baseUrl}/tasks`, ({ request }) => {
          tasksQuery = Object.fromEntries(new URL(request.url).searchParams);
          return HttpResponse.json({ items: [], clusterErrors: [] });
        }),
        http.get(`${baseUrl}/targets`, ({ request }) => {
          targetsQuery = Object.fromEntries(new URL(request.url).searchParams);
          return HttpResponse.json({ clusters: ['dev'], namespace: 'shop' });
        }),
      );
      await expect(
        client.listTasks(entityRef, { cluster: 'dev', namespace: 'shop' }),
      ).resolves.toEqual({ items: [], clusterErrors: [] });
      expect(tasksQuery).toEqual({
        entityRef,
        cluster: 'dev',
        namespace: 'shop',
      });
      await expect(client.getTargets(entityRef)).resolves.toEqual({
        clusters: ['dev'],
        namespace: 'shop',
      });
      expect(targetsQuery).toEqual({ entityRef });
    });
  });
});
