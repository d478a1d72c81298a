import { createHmac } from 'node:crypto';
import {
  createBackendModule,
  coreServices,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { EventParams, eventsServiceRef } from '@backstage/plugin-events-node';
import eventsPlugin from '@backstage/plugin-events-backend';
import request from 'supertest';
import giteaModule from './index';

const SECRET = 'gitea-test-secret';
const body = JSON.stringify({
  ref: 'refs/heads/main',
  after: 'bffeb74224043ba2feb48d137756c8a9331c449a',
  repository: { html_url: 'http://localhost:3000/gitea/webhooks' },
});
const sign = (payload: string, secret = SECRET) =>
  createHmac('sha256', secret).update(payload).digest('hex');

async function startBackend(secret: string | undefined) {
  const received: EventParams[] = [];
  const recorder = createBackendModule({
    pluginId: 'events',
    moduleId: 'test-recorder',
    register(env) {
      env.registerInit({
        deps: { events: eventsServiceRef, logger: coreServices.logger },
        async init({ events }) {
          await events.subscribe({
            id: 'test-recorder',
            topics: ['gitea', 'gitea.push', 'gitea.pull_request'],
            onEvent: async params => {
              received.push(params);
            },
          });
        },
      });
    },
  });
  const { server } = await startTestBackend({
    features: [
      eventsPlugin,
      giteaModule,
      recorder,
      mockServices.rootConfig.factory({
        data: secret
          ? { events: { modules: { gitea: { webhookSecret: secret } } } }
          : {},
      }),
    ],
  });
  return { server, received };
}

const post = (server: Parameters<typeof request>[0]) =>
  request(server)
    .post('/api/events/http/gitea')
    .set('Content-Type', 'application/json')
    .set('X-Gitea-Event', 'push')
    .set('X-Gitea-Delivery', 'e2a6c1f0-5a3f-4d11-9a0e-0d1b7c6b2f10');

describe('Gitea webhook ingress', () => {
  it('accepts a delivery signed with the secret and routes it to gitea.push', async () => {
    const { server, received } = await startBackend(SECRET);
    const res = await post(server)
      .set('X-Gitea-Signature', sign(body))
      .send(body);
    expect(res.status).toBe(202);
    expect(received.map(e => e.topic).sort()).toEqual(['gitea', 'gitea.push']);
    const routed = received.find(e => e.topic === 'gitea.push')!;
    expect(routed.eventPayload).toEqual(JSON.parse(body));
    expect(routed.metadata?.['x-gitea-delivery']).toBe(
      'e2a6c1f0-5a3f-4d11-9a0e-0d1b7c6b2f10',
    );
  });

  it("accepts Forgejo's X-Forgejo-Signature", async () => {
    const { server, received } = await startBackend(SECRET);
    const res = await post(server)
      .set('X-Forgejo-Signature', sign(body))
      .send(body);
    expect(res.status).toBe(202);
    expect(received).toHaveLength(2);
  });

  it('refuses an unsigned delivery with 401 and publishes nothing', async () => {
    const { server, received } = await startBackend(SECRET);
    const res = await post(server).send(body);
    expect(res.status).toBe(401);
    expect(received).toEqual([]);
  });

  it('refuses a signature made with another secret with 403', async () => {
    const { server, received } = await startBackend(SECRET);
    const res = await post(server)
      .set('X-Gitea-Signature', sign(body, 'not-the-secret'))
      .send(body);
    expect(res.status).toBe(403);
    expect(received).toEqual([]);
  });

  it('refuses a body changed after signing (the signature covers the raw bytes)', async () => {
    const { server, received } = await startBackend(SECRET);
    // Same JSON value, different bytes: whitespace added.
    const reformatted = JSON.stringify(JSON.parse(body), null, 2);
    const res = await post(server)
      .set('X-Gitea-Signature', sign(body))
      .send(reformatted);
    expect(res.status).toBe(403);
    expect(received).toEqual([]);
  });

  it('refuses every delivery when no secret is configured', async () => {
    const { server, received } = await startBackend(undefined);
    const res = await post(server)
      .set('X-Gitea-Signature', sign(body))
      .send(body);
    expect(res.status).toBe(403);
    expect(res.body.message).toMatch(/events\.modules\.gitea\.webhookSecret/);
    expect(received).toEqual([]);
  });
});
