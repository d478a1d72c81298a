import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { identityApiRef } from '@backstage/core-plugin-api';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type {
  EnvironmentRequestView,
  EnvironmentSummary,
} from '@cairn/plugin-environments-common';
import { environmentsApiRef } from '../api';
import { rootRouteRef } from '../routes';
import { RequestEnvironmentButton, RequestQuotaButton } from './RequestDialogs';
import { RequestsView } from './RequestsView';

// Typing into dialogs is slow on a shared machine.
jest.setTimeout(60_000);

const storefront: EnvironmentSummary = {
  cluster: 'dev',
  name: 'storefront',
  resourceVersion: '7',
  spec: {
    namespace: 'storefront',
    owner: 'group:default/team-storefront',
    quota: { pods: '10', 'requests.cpu': '2' },
  },
  nodes: [],
  quota: { hard: { pods: '10' }, used: { pods: '4' } },
  conditions: [],
  ready: true,
  deleting: false,
};

const pending: EnvironmentRequestView = {
  id: '0b8e9c51-1f6e-4d4b-9f39-5d7a1b2c3d40',
  kind: 'quota',
  cluster: 'dev',
  environment: 'storefront',
  namespace: 'storefront',
  group: 'group:default/team-storefront',
  quota: { pods: '20' },
  currentQuota: { pods: '10', 'requests.cpu': '2' },
  reason: 'the spring sale',
  requestedBy: 'user:default/guest',
  requestedAt: '2026-12-07T10:00:00.000Z',
  state: 'pending',
};

const identity = (groups: string[]) => ({
  getBackstageIdentity: async () => ({
    type: 'user' as const,
    userEntityRef: 'user:default/guest',
    ownershipEntityRefs: ['user:default/guest', ...groups],
  }),
});

describe('RequestQuotaButton', () => {
  it('offers members of the owner group a request of only the changed quota, with its diff', async () => {
    const createRequest = jest.fn(async () => pending);
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [environmentsApiRef, { createRequest }],
          [identityApiRef, identity(['group:default/team-storefront'])],
        ]}
      >
        <RequestQuotaButton environment={storefront} />
      </TestApiProvider>,
      { mountedRoutes: { '/environments': rootRouteRef } },
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Request more quota' }),
    );
    const dialog = screen.getByRole('dialog');
    const pods = within(dialog).getByRole('textbox', { name: 'Quota pods' });
    await userEvent.clear(pods);
    await userEvent.type(pods, '20');
    expect(
      within(dialog).getByRole('table', { name: 'quota change' }),
    ).toHaveTextContent('pods1020raise');
    // The reason is required, as the server requires it.
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Send request' }),
    );
    expect(
      within(dialog).getByText(
        'reason: is required: why the team needs it, for ops to decide',
      ),
    ).toBeInTheDocument();
    expect(createRequest).not.toHaveBeenCalled();
    await userEvent.type(
      within(dialog).getByRole('textbox', { name: 'Reason' }),
      'the spring sale',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Send request' }),
    );
    expect(createRequest).toHaveBeenCalledWith({
      kind: 'quota',
      cluster: 'dev',
      name: 'storefront',
      quota: { pods: '20' },
      reason: 'the spring sale',
    });
    expect(
      await within(dialog).findByRole('link', { name: 'your request' }),
    ).toHaveAttribute('href', `/environments?request=${pending.id}`);
  });

  it('says beside each quota field what it is now and counts, and where a quantity is invalid', async () => {
    const createRequest = jest.fn(async () => pending);
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [environmentsApiRef, { createRequest }],
          [identityApiRef, identity(['group:default/team-storefront'])],
        ]}
      >
        <RequestQuotaButton environment={storefront} />
      </TestApiProvider>,
      { mountedRoutes: { '/environments': rootRouteRef } },
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Request more quota' }),
    );
    const dialog = screen.getByRole('dialog');
    const field = (name: string) =>
      within(dialog).getByRole('textbox', { name });
    expect(field('Quota pods')).toHaveAccessibleDescription(
      'now 10; pods, e.g. 10',
    );
    expect(field('Quota requests.memory')).toHaveAccessibleDescription(
      'no limit now; memory all pods request, e.g. 4Gi',
    );
    await userEvent.type(field('Quota requests.memory'), '4 GB');
    await userEvent.type(field('Reason'), 'the spring sale');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Send request' }),
    );
    expect(field('Quota requests.memory')).toBeInvalid();
    expect(field('Quota requests.memory')).toHaveAccessibleDescription(
      /^Invalid value: "4 GB": quantities must match/,
    );
    expect(field('Quota pods')).toBeValid();
    expect(within(dialog).getByRole('alert')).toHaveTextContent(
      'quota.requests.memory: Invalid value: "4 GB"',
    );
    expect(createRequest).not.toHaveBeenCalled();
  });

  it('is not offered to other teams', async () => {
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [environmentsApiRef, {}],
          [identityApiRef, identity(['group:default/team-b'])],
        ]}
      >
        <RequestQuotaButton environment={storefront} />
      </TestApiProvider>,
      { mountedRoutes: { '/environments': rootRouteRef } },
    );
    await waitFor(() =>
      expect(
        screen.queryByRole('button', { name: 'Request more quota' }),
      ).not.toBeInTheDocument(),
    );
  });
});

describe('RequestEnvironmentButton', () => {
  it("sends a group's request for an environment from its fields, quantities checked as Kubernetes parses them", async () => {
    const createRequest = jest.fn(async () => ({
      ...pending,
      kind: 'environment' as const,
    }));
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [
            environmentsApiRef,
            {
              createRequest,
              listClusters: async () => ({ clusters: ['dev'] }),
            },
          ],
          [identityApiRef, identity(['group:default/team-storefront'])],
        ]}
      >
        <RequestEnvironmentButton group="group:default/team-storefront" />
      </TestApiProvider>,
      { mountedRoutes: { '/environments': rootRouteRef } },
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Request environment' }),
    );
    const dialog = screen.getByRole('dialog');
    const field = (name: string) =>
      within(dialog).getByRole('textbox', { name });
    expect(field('Namespace')).toHaveAccessibleDescription(
      'Defaults to the name',
    );
    expect(field('Quota requests.cpu')).toHaveAccessibleDescription(
      'CPU cores all pods request, e.g. 2 or 500m',
    );
    await userEvent.type(field('Name'), 'storefront-qa');
    await userEvent.type(field('Zones'), 'zone-a, zone-b');
    await userEvent.type(field('Storage classes'), 'fast');
    await userEvent.type(field('Quota requests.cpu'), '2 cores');
    await userEvent.type(field('Reason'), 'load tests');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Send request' }),
    );
    expect(field('Quota requests.cpu')).toHaveAccessibleDescription(
      /^Invalid value: "2 cores": quantities must match/,
    );
    expect(createRequest).not.toHaveBeenCalled();

    await userEvent.clear(field('Quota requests.cpu'));
    await userEvent.type(field('Quota requests.cpu'), '2');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Send request' }),
    );
    expect(createRequest).toHaveBeenCalledWith({
      kind: 'environment',
      cluster: 'dev',
      name: 'storefront-qa',
      spec: {
        namespace: 'storefront-qa',
        owner: 'group:default/team-storefront',
        placement: { zones: ['zone-a', 'zone-b'] },
        storageClasses: ['fast'],
        quota: { 'requests.cpu': '2' },
      },
      reason: 'load tests',
    });
    expect(
      await within(dialog).findByRole('link', { name: 'your request' }),
    ).toBeInTheDocument();
  });
});

describe('RequestsView', () => {
  const render = (api: object) =>
    renderInTestApp(
      <TestApiProvider apis={[[environmentsApiRef, api]]}>
        <RequestsView selected={pending.id} />
      </TestApiProvider>,
    );

  it('lets ops approve a pending request in one click, showing the quota diff', async () => {
    let state: EnvironmentRequestView = pending;
    const approveRequest = jest.fn(async () => {
      state = {
        ...pending,
        state: 'approved',
        decidedBy: 'user:default/alice',
      };
      return state;
    });
    await render({
      listRequests: async () => ({
        items: state.state === 'pending' ? [state] : [],
        canDecide: true,
      }),
      getRequest: async () => state,
      approveRequest,
    });
    const card = await screen.findByRole('region', {
      name: `request ${pending.id}`,
    });
    expect(within(card).getByRole('table')).toHaveTextContent('pods1020raise');
    await userEvent.click(
      within(card).getByRole('button', { name: 'Approve' }),
    );
    expect(approveRequest).toHaveBeenCalledWith(pending.id, {});
    expect(
      await screen.findByText(/Approved by user:default\/alice/),
    ).toBeInTheDocument();
  });

  it('shows why an approval failed, the request still pending', async () => {
    await render({
      listRequests: async () => ({ items: [pending], canDecide: true }),
      getRequest: async () => pending,
      rejectRequest: async () => {
        throw new Error('someone else decided the request meanwhile');
      },
    });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Reject' }),
    );
    expect(
      await screen.findByText('someone else decided the request meanwhile'),
    ).toBeInTheDocument();
  });

  it('shows developers their requests without the buttons, and an empty state', async () => {
    await render({
      listRequests: async () => ({ items: [pending], canDecide: false }),
      getRequest: async () => pending,
    });
    expect(
      await screen.findByText('More quota for storefront'),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Approve' }),
    ).not.toBeInTheDocument();
  });

  it('says when there is nothing to decide', async () => {
    renderInTestApp(
      <TestApiProvider
        apis={[
          [
            environmentsApiRef,
            { listRequests: async () => ({ items: [], canDecide: true }) },
          ],
        ]}
      >
        <RequestsView />
      </TestApiProvider>,
    );
    expect(
      await screen.findByText(
        'No team is waiting for an environment or more quota.',
      ),
    ).toBeInTheDocument();
  });
});
