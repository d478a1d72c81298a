import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { signalApiRef, SignalApi } from '@backstage/plugin-signals-react';
import { act, fireEvent, screen } from '@testing-library/react';
import { DEFAULT_TOPOLOGY_LABELS } from '@cairn/operators-api';
import {
  ClusterTopology,
  ENVIRONMENTS_SIGNAL_CHANNEL,
  EnvironmentsChangedSignal,
  EnvironmentSummary,
} from '@cairn/plugin-environments-common';
import { EnvironmentsApi, environmentsApiRef } from '../api';
import { rootRouteRef } from '../routes';
import { EntityEnvironmentsCard } from './EntityEnvironmentsCard';
import { EnvironmentsPage } from './EnvironmentsPage';

/*
 * Open Environments pages read again what they show when the backend
 * signals a change, without a reload.
 */

function signalsApi() {
  const listeners = new Set<(message: any) => void>();
  const api: SignalApi = {
    subscribe: (channel, onMessage) => {
      expect(channel).toBe(ENVIRONMENTS_SIGNAL_CHANNEL);
      listeners.add(onMessage);
      return { unsubscribe: () => listeners.delete(onMessage) };
    },
  };
  const publish = (message: EnvironmentsChangedSignal) =>
    act(() => listeners.forEach(listener => listener(message)));
  return { api, publish };
}

const storefront = (used: string): EnvironmentSummary => ({
  cluster: 'dev',
  name: 'storefront',
  resourceVersion: '7',
  spec: {
    namespace: 'storefront',
    owner: 'group:default/team-storefront',
    quota: { pods: '10' },
  },
  nodes: [],
  quota: { hard: { pods: '10' }, used: { pods: used } },
  conditions: [],
  ready: true,
  deleting: false,
});

const topology = (rack: string): ClusterTopology => ({
  cluster: 'dev',
  labels: DEFAULT_TOPOLOGY_LABELS,
  nodes: [
    {
      name: 'node-1',
      zone: 'zone-a',
      rack,
      host: 'node-1',
      ready: true,
      pods: 0,
      environments: [],
    },
  ],
  storageClasses: [],
  canLabel: false,
});

/** An API whose answers are the last ones set. */
function environmentsApi() {
  const state = {
    items: [] as EnvironmentSummary[],
    topology: topology('rack-1'),
  };
  const api: Partial<EnvironmentsApi> = {
    listClusters: async () => ({ clusters: ['dev'] }),
    listEnvironments: jest.fn(async () => ({
      items: state.items,
      canManage: false,
      clusterErrors: [],
    })),
    getTopology: jest.fn(async () => state.topology),
  };
  return { api, state };
}

describe('live updates', () => {
  it('the environment list shows an environment created, and its new usage, when signalled', async () => {
    const signals = signalsApi();
    const { api, state } = environmentsApi();
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [environmentsApiRef, api],
          [signalApiRef, signals.api],
        ]}
      >
        <EnvironmentsPage />
      </TestApiProvider>,
    );
    expect(await screen.findByText('No environments')).toBeInTheDocument();
    state.items = [storefront('4')];
    // A node change is not the list's.
    signals.publish({ cluster: 'dev', environments: [], nodes: ['node-1'] });
    signals.publish({
      cluster: 'dev',
      environments: ['storefront'],
      nodes: [],
    });
    fireEvent.click((await screen.findAllByText('storefront'))[0]);
    expect(await screen.findByText('pods: 4 / 10')).toBeInTheDocument();
    state.items = [storefront('7')];
    signals.publish({
      cluster: 'dev',
      environments: ['storefront'],
      nodes: [],
    });
    expect(await screen.findByText('pods: 7 / 10')).toBeInTheDocument();
  });

  it("the Nodes tab shows a node's new labels when its cluster signals them, and ignores other clusters", async () => {
    const signals = signalsApi();
    const { api, state } = environmentsApi();
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [environmentsApiRef, api],
          [signalApiRef, signals.api],
        ]}
      >
        <EnvironmentsPage />
      </TestApiProvider>,
    );
    fireEvent.click(await screen.findByText('Nodes'));
    expect(await screen.findByLabelText('rack rack-1')).toBeInTheDocument();
    state.topology = topology('rack-2');
    const reads = (api.getTopology as jest.Mock).mock.calls.length;
    signals.publish({ cluster: 'prod', environments: [], nodes: ['node-1'] });
    expect((api.getTopology as jest.Mock).mock.calls.length).toBe(reads);
    signals.publish({ cluster: 'dev', environments: [], nodes: ['node-1'] });
    expect(await screen.findByLabelText('rack rack-2')).toBeInTheDocument();
  });

  it("a group's card shows an environment it was made a tenant of, when signalled", async () => {
    const signals = signalsApi();
    const { api, state } = environmentsApi();
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [environmentsApiRef, api],
          [signalApiRef, signals.api],
        ]}
      >
        <EntityProvider
          entity={{
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Group',
            metadata: { name: 'team-storefront', namespace: 'default' },
            spec: { type: 'team', children: [] },
          }}
        >
          <EntityEnvironmentsCard />
        </EntityProvider>
      </TestApiProvider>,
      { mountedRoutes: { '/environments': rootRouteRef } },
    );
    expect(await screen.findByText('No environments')).toBeInTheDocument();
    state.items = [storefront('1')];
    signals.publish({
      cluster: 'dev',
      environments: ['storefront'],
      nodes: [],
    });
    expect(
      await screen.findByRole('link', { name: 'storefront' }),
    ).toBeInTheDocument();
  });
});
