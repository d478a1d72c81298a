import { Server } from 'node:http';
import { BackendFeature, ServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { userAuth } from '@cairn/plugin-kubernetes-node/testUtils';
import request from 'supertest';
import { pipelinesPlugin } from '../plugin';
import { TektonTestCluster } from './tektonCluster';

/*
 * Test support: the pipelines backend in a test backend against a dev
 * cluster with Tekton, with a catalog and a permission policy of the test's
 * own (see @cairn/plugin-kubernetes-node/testUtils for the policy, the
 * auditor and the users), and what tests need to call it.
 */

/** Root config data, as the test backend's config service takes it. */
type ConfigData = NonNullable<
  NonNullable<Parameters<typeof mockServices.rootConfig.factory>[0]>['data']
>;

/** An HTTP method of the pipelines API. */
export type Method = 'get' | 'post' | 'put' | 'delete';

/**
 * The pipelines backend under test, a supertest agent for its server, and
 * `call`: a request to `path` below /api/pipelines about `entityRef` (as the
 * routes take it, a query parameter) signed in with `headers`, the mock
 * user's by default. More query parameters can be added to it.
 */
export type PipelinesTestBackend = TestBackend & {
  api: () => ReturnType<typeof request>;
  call: (
    method: Method,
    path: string,
    entityRef: string,
    headers?: Record<string, string>,
  ) => request.Test;
};

/**
 * Starts the pipelines backend against `cluster` (as its portal service
 * account) with these catalog entities and permission service. `config` is
 * added to the root config and may replace `kubernetes`; `features` adds
 * services such as a database or an auditor.
 */
export async function startPipelinesTestBackend(options: {
  cluster: TektonTestCluster;
  entities: Entity[];
  permissions: ServiceFactory;
  config?: ConfigData;
  features?: Array<BackendFeature | ServiceFactory>;
}): Promise<PipelinesTestBackend> {
  const backend = await startTestBackend({
    features: [
      pipelinesPlugin,
      catalogServiceMock.factory({ entities: options.entities }),
      options.permissions,
      mockServices.rootConfig.factory({
        data: {
          kubernetes: options.cluster.kubernetesConfig as ConfigData,
          ...options.config,
        },
      }),
      ...(options.features ?? []),
    ],
  });
  const api = () => request(backend.server);
  // The backend's methods are on its prototype: add to it, not a copy.
  return Object.assign(backend, {
    api,
    call: (
      method: Method,
      path: string,
      entityRef: string,
      headers: Record<string, string> = userAuth(),
    ) =>
      api()[method](`/api/pipelines${path}`).query({ entityRef }).set(headers),
  });
}

/** A server-sent event stream of the backend, read while it is open. */
export interface EventStream {
  response: Response;
  /** Each event's type and data, in order. */
  events: Array<{ event?: string; data?: string }>;
  /** Everything the stream sent so far. */
  received(): string;
  /** Closes the stream and waits for its reading to end. */
  close(): Promise<void>;
}

/** Opens `path` on the backend's server and reads its events until closed. */
async function openEventStream(
  server: Server,
  path: string,
  headers: Record<string, string>,
): Promise<EventStream> {
  const { port } = server.address() as { port: number };
  const controller = new AbortController();
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    headers,
    signal: controller.signal,
  });
  const events: EventStream['events'] = [];
  let received = '';
  let unparsed = '';
  const reading = (async () => {
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      const text = decoder.decode(value, { stream: true });
      received += text;
      unparsed += text;
      for (
        let end = unparsed.indexOf('\n\n');
        end >= 0;
        end = unparsed.indexOf('\n\n')
      ) {
        const message = unparsed.slice(0, end);
        unparsed = unparsed.slice(end + 2);
        events.push({
          event: /^event: (.*)$/m.exec(message)?.[1],
          data: /^data: (.*)$/m.exec(message)?.[1],
        });
      }
    }
  })().catch(() => {});
  return {
    response,
    events,
    received: () => received,
    close: async () => {
      controller.abort();
      await reading;
    },
  };
}

/**
 * Opens the event stream at `path`, checks that it is one, runs `use` on it
 * and closes it, however `use` ends.
 */
export async function withEventStream(
  server: Server,
  path: string,
  headers: Record<string, string>,
  use: (stream: EventStream) => Promise<void>,
): Promise<void> {
  const stream = await openEventStream(server, path, headers);
  try {
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toContain(
      'text/event-stream',
    );
    await use(stream);
  } finally {
    await stream.close();
  }
}

/** The runs an event stream pushed, in order. */
export const pushedRuns = (stream: EventStream): any[] =>
  stream.events
    .filter(e => e.event === 'run' && e.data)
    .map(e => JSON.parse(e.data!));
