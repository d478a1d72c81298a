import {
  mockApis,
  registerMswTestHooks,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import {
  act,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { mockSignalApi } from '@cairn/plugin-kubernetes-react/testUtils';
import {
  ROLLOUTS_SIGNAL_CHANNEL,
  StoneDetail,
} from '@cairn/plugin-rollouts-common';
import {
  stoneDetail,
  updateScenario,
} from '@cairn/plugin-rollouts-common/testUtils';
import { RolloutsClient, rolloutsApiRef } from '../api';
import { StoneView } from './StoneView';

const baseUrl = 'http://localhost:7007/api/rollouts';
const server = setupServer();
registerMswTestHooks(server);

const stonePath = `${baseUrl}/stones/dev/shop/web`;

/**
 * The Stone at Alpha, complete, of `entityRef` (a different one per test:
 * usePermission keeps its answers per resource across a file's tests);
 * `allowed` names the permissions the user has.
 */
async function renderStone(options: {
  entityRef: string;
  allowed: string[];
  details?: StoneDetail[];
}) {
  const details = options.details ?? [
    stoneDetail(updateScenario('Alpha'), { entityRef: options.entityRef }),
  ];
  let gets = 0;
  server.use(
    http.get(stonePath, () =>
      HttpResponse.json(details[Math.min(gets++, details.length - 1)]),
    ),
  );
  const client = new RolloutsClient({
    discoveryApi: { getBaseUrl: async () => baseUrl },
    fetchApi: { fetch: (input, init) => fetch(input, init) },
  });
  const getStone = jest.spyOn(client, 'getStone');
  const signals = mockSignalApi();
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [rolloutsApiRef, client],
        [
          permissionApiRef,
          mockApis.permission({
            authorize: request =>
              options.allowed.includes(request.permission.name)
                ? AuthorizeResult.ALLOW
                : AuthorizeResult.DENY,
          }),
        ],
        [signalApiRef, signals.api],
      ]}
    >
      <StoneView
        stone={{
          cluster: 'dev',
          namespace: 'shop',
          name: 'web',
          entityRef: options.entityRef,
        }}
      />
    </TestApiProvider>,
  );
  return {
    gets: () => gets,
    /** The loads started (a response may still be on its way). */
    loads: () => getStone.mock.calls.length,
    publish: (message: object) =>
      act(() => signals.publish(ROLLOUTS_SIGNAL_CHANNEL, message)),
  };
}

// Whole pages of Material UI in jsdom take seconds when the machine is busy
// (CI shares it with the other suites): a bound, not a measure.
jest.setTimeout(30_000);

describe('StoneView', () => {
  it('refetches when the backend signals a change of its Stone, and not of another', async () => {
    const entityRef = 'component:default/web-signalled';
    const { loads, publish } = await renderStone({
      entityRef,
      allowed: [],
      details: [
        stoneDetail(updateScenario('Alpha'), { entityRef }),
        stoneDetail(updateScenario('Beta'), { entityRef }),
      ],
    });
    await screen.findByRole('button', { name: 'Approve Beta' });
    const before = loads();
    const change = {
      cluster: 'dev',
      namespace: 'shop',
      name: 'web',
      entityRef,
    };
    publish({ ...change, name: 'web-canary' });
    publish({ ...change, cluster: 'east' });
    expect(loads()).toBe(before);
    publish(change);
    expect(loads()).toBe(before + 1);
    expect(
      await screen.findByRole('button', { name: 'Approve Omega' }),
    ).toBeInTheDocument();
  });

  it('disables Approve with the reason when the policy leaves the stage to ops', async () => {
    await renderStone({
      entityRef: 'component:default/web-a',
      allowed: ['rollouts.update.pause'],
    });
    const approve = await screen.findByRole('button', { name: 'Approve Beta' });
    await waitFor(() =>
      expect(
        screen.getByText('Approving Beta is for ops (group:default/ops)'),
      ).toBeInTheDocument(),
    );
    expect(approve).toBeDisabled();
    expect(approve).toHaveAttribute('aria-describedby', 'approve-reason');
    expect(screen.getByRole('button', { name: 'Pause' })).toBeEnabled();
  });

  it('mid-update, says to abort rather than that there is nothing to roll back to', async () => {
    const detail = stoneDetail(updateScenario('Alpha'), {
      entityRef: 'component:default/web-rollback',
    });
    await renderStone({
      entityRef: 'component:default/web-rollback',
      allowed: ['rollouts.update.rollback'],
      details: [detail],
    });
    const rollback = await screen.findByRole('button', { name: 'Roll back' });
    await waitFor(() =>
      expect(
        screen.getByText(
          `${detail.summary.currentRevision} is the current revision: abort the update to go back to it`,
        ),
      ).toBeInTheDocument(),
    );
    expect(rollback).toBeDisabled();
  });

  it('previews exactly the pods the next stage moves, then approves with the comment', async () => {
    const entityRef = 'component:default/web-b';
    const before = stoneDetail(updateScenario('Alpha'), { entityRef });
    const after = stoneDetail(updateScenario('Beta'), { entityRef });
    const { gets } = await renderStone({
      entityRef,
      allowed: ['rollouts.stage.approve'],
      details: [before, after],
    });
    let body: any;
    let url: URL | undefined;
    server.use(
      http.post(`${stonePath}/approve`, async ({ request }) => {
        url = new URL(request.url);
        body = await request.json();
        return HttpResponse.json(after.summary);
      }),
    );
    const approve = await screen.findByRole('button', { name: 'Approve Beta' });
    await waitFor(() => expect(approve).toBeEnabled());
    fireEvent.click(approve);
    const dialog = await screen.findByRole('dialog');
    const rows = within(
      within(dialog).getByRole('table', { name: 'Pods that will change' }),
    ).getAllByRole('row');
    expect(rows.slice(1).map(r => r.textContent)).toEqual([
      `web-b-0node-b1rack-b1zone-bfrom ${before.summary.currentRevision}`,
      `web-c-0node-c1rack-c1zone-cfrom ${before.summary.currentRevision}`,
    ]);
    fireEvent.change(within(dialog).getByLabelText('Comment (optional)'), {
      target: { value: 'alpha looks good' },
    });
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Approve Beta' }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(url?.searchParams.get('entityRef')).toBe(entityRef);
    // The version the page showed: a later status write does not make it stale.
    expect(body).toEqual({
      stage: 'Beta',
      resourceVersion: '42',
      generation: 2,
      comment: 'alpha looks good',
    });
    // The answer is the patched summary; the page then shows the Stone anew.
    expect(
      await screen.findByRole('button', { name: 'Approve Omega' }),
    ).toBeInTheDocument();
    expect(gets()).toBe(2);
  });

  it('on a 409 says someone changed the Stone and shows the latest', async () => {
    const entityRef = 'component:default/web-c';
    const stale = stoneDetail(updateScenario('Alpha'), { entityRef });
    const latest = stoneDetail(updateScenario('Beta'), { entityRef });
    latest.stone.metadata.resourceVersion = '43';
    latest.summary.resourceVersion = '43';
    const { gets } = await renderStone({
      entityRef,
      allowed: ['rollouts.stage.approve'],
      details: [stale, latest],
    });
    server.use(
      http.post(`${stonePath}/approve`, () =>
        HttpResponse.json(
          {
            error: {
              name: 'ConflictError',
              message:
                'the Stone changed since you loaded it; reload it and decide again',
            },
            response: { statusCode: 409 },
          },
          { status: 409 },
        ),
      ),
    );
    const approve = await screen.findByRole('button', { name: 'Approve Beta' });
    await waitFor(() => expect(approve).toBeEnabled());
    fireEvent.click(approve);
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Approve Beta' }),
    );
    expect(await screen.findByRole('status')).toHaveTextContent(
      'Someone changed this Stone; showing the latest. the Stone changed since you loaded it; reload it and decide again',
    );
    expect(
      await screen.findByRole('button', { name: 'Approve Omega' }),
    ).toBeInTheDocument();
    expect(gets()).toBe(2);
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('shows the server’s message when an action fails otherwise', async () => {
    const entityRef = 'component:default/web-d';
    await renderStone({ entityRef, allowed: ['rollouts.update.pause'] });
    server.use(
      http.post(`${stonePath}/pause`, () =>
        HttpResponse.json(
          {
            error: {
              name: 'NotAllowedError',
              message: 'You may not pause web',
            },
            response: { statusCode: 403 },
          },
          { status: 403 },
        ),
      ),
    );
    const pause = await screen.findByRole('button', { name: 'Pause' });
    await waitFor(() => expect(pause).toBeEnabled());
    fireEvent.click(pause);
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'You may not pause web',
    );
  });
});
