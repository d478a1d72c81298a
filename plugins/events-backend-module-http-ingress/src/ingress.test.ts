import { createBackendModule } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import eventsPlugin from '@backstage/plugin-events-backend';
import { EventParams, eventsServiceRef } from '@backstage/plugin-events-node';
import request from 'supertest';
import httpIngress from './index';

/*
 * The events backend's HTTP ingress with this package: its answers to a body
 * that is not JSON and to a subscriber that could not take the event.
 */

// Backends start and stop slowly on a loaded machine.
jest.setTimeout(60_000);

const body = JSON.stringify({ ref: 'refs/heads/main', commits: [] });

/** The events backend with a subscriber of `hooks` that fails while `failing` is set. */
async function startBackend() {
  const state = { failing: false, received: [] as EventParams[] };
  const subscriber = createBackendModule({
    pluginId: 'events',
    moduleId: 'test-subscriber',
    register(env) {
      env.registerInit({
        deps: { events: eventsServiceRef },
        async init({ events }) {
          await events.subscribe({
            id: 'test-subscriber',
            topics: ['hooks'],
            onEvent: async params => {
              if (state.failing) throw new Error('the database is down');
              state.received.push(params);
            },
          });
        },
      });
    },
  });
  const { server } = await startTestBackend({
    features: [
      eventsPlugin,
      httpIngress,
      subscriber,
      mockServices.rootConfig.factory({
        data: { events: { http: { topics: ['hooks'] } } },
      }),
    ],
  });
  const post = (text: string) =>
    request(server)
      .post('/api/events/http/hooks')
      .set('Content-Type', 'application/json')
      .send(text);
  return { state, post };
}

describe('the events HTTP ingress', () => {
  it('answers a truncated JSON body with a 400 that says so, and publishes nothing', async () => {
    const { state, post } = await startBackend();
    const res = await post(body.slice(0, 20));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(
      /^The body of this hooks event is not valid JSON \(.+\); send the whole JSON document/,
    );
    expect(state.received).toEqual([]);
  });

  it('answers 503 when a subscriber could not take the event, and 202 once it can', async () => {
    const { state, post } = await startBackend();
    state.failing = true;
    const refused = await post(body);
    expect(refused.status).toBe(503);
    expect(refused.body.error.message).toBe(
      'The hooks event was not taken by events.test-subscriber; nothing is lost if it is sent again',
    );
    expect(state.received).toEqual([]);

    state.failing = false;
    const accepted = await post(body);
    expect(accepted.status).toBe(202);
    expect(state.received.map(e => e.eventPayload)).toEqual([JSON.parse(body)]);
  });

  it('keeps the charset check: an unknown charset is a 415', async () => {
    const { post } = await startBackend();
    const res = await post(body).set(
      'Content-Type',
      'application/json; charset=klingon',
    );
    expect(res.status).toBe(415);
  });
});
