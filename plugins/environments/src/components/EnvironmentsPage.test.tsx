import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { DEFAULT_TOPOLOGY_LABELS } from '@cairn/operators-api';
import type {
  ClusterTopology,
  EnvironmentSummary,
  TopologyNode,
} from '@cairn/plugin-environments-common';
import { EnvironmentsApi, environmentsApiRef } from '../api';
import { EnvironmentsPage } from './EnvironmentsPage';

const node = (name: string, zone: string, rack: string): TopologyNode => ({
  name,
  zone,
  rack,
  host: name,
  ready: true,
  pods: 2,
  environments: [],
});

const topology: ClusterTopology = {
  cluster: 'dev',
  labels: DEFAULT_TOPOLOGY_LABELS,
  nodes: [
    node('node-a1-1', 'zone-a', 'a-r1'),
    node('node-a2-1', 'zone-a', 'a-r2'),
    node('node-b1-1', 'zone-b', 'b-r1'),
    { ...node('spare', 'x', 'y'), zone: undefined, rack: undefined },
  ],
  storageClasses: ['fast', 'standard'],
  canLabel: true,
};

const storefront: EnvironmentSummary = {
  cluster: 'dev',
  name: 'storefront',
  resourceVersion: '7',
  generation: 1,
  spec: {
    namespace: 'storefront',
    owner: 'group:default/team-storefront',
    placement: { zones: ['zone-a'] },
    storageClasses: [],
    quota: { pods: '10' },
  },
  nodes: ['node-a1-1', 'node-a2-1'],
  quota: { hard: { pods: '10' }, used: { pods: '4' } },
  conditions: [
    {
      type: 'Ready',
      status: 'True',
      lastTransitionTime: '2026-12-07T10:00:00Z',
      reason: 'Reconciled',
      message: 'as specified',
    },
  ],
  ready: true,
  deleting: false,
};

function renderPage(api: Partial<EnvironmentsApi>) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [
          environmentsApiRef,
          {
            listClusters: async () => ({ clusters: ['dev'] }),
            getTopology: async () => topology,
            ...api,
          },
        ],
      ]}
    >
      <EnvironmentsPage />
    </TestApiProvider>,
  );
}

describe('EnvironmentsPage', () => {
  it('lets ops create an environment placed on a zone of the drawing, refusing bad quantities first', async () => {
    const createEnvironment = jest.fn(async () => storefront);
    await renderPage({
      listEnvironments: async () => ({
        items: [],
        canManage: true,
        clusterErrors: [],
      }),
      createEnvironment,
    });
    fireEvent.click(await screen.findByText('Create environment'));
    const dialog = await screen.findByRole('dialog');
    const type = (label: string, value: string) =>
      fireEvent.change(within(dialog).getByLabelText(label), {
        target: { value },
      });
    type('Name', 'storefront');
    type('Namespace', 'storefront');
    type('Owner group', 'team-storefront');
    fireEvent.click(await within(dialog).findByText('Zone zone-a'));
    expect(
      within(dialog).getByText(/green nodes \(2: zones zone-a\)/),
    ).toBeInTheDocument();
    type('Quota pods', '10');
    type('Quota requests.cpu', '2 cores');
    fireEvent.click(within(dialog).getByText('Create'));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'spec.quota.requests.cpu: Invalid value: "2 cores": quantities must match',
    );
    expect(createEnvironment).not.toHaveBeenCalled();

    type('Quota requests.cpu', '2');
    fireEvent.click(within(dialog).getByText('Create'));
    await waitFor(() => expect(createEnvironment).toHaveBeenCalled());
    expect(createEnvironment).toHaveBeenCalledWith('dev', {
      name: 'storefront',
      spec: {
        namespace: 'storefront',
        owner: 'team-storefront',
        placement: { zones: ['zone-a'] },
        storageClasses: [],
        quota: { pods: '10', 'requests.cpu': '2' },
        deletionPolicy: 'Orphan',
      },
    });
  });

  it('shows an environment with its nodes and usage, without forms for a tenant', async () => {
    await renderPage({
      listEnvironments: async () => ({
        items: [storefront],
        canManage: false,
        clusterErrors: [],
      }),
    });
    fireEvent.click((await screen.findAllByText('storefront'))[0]);
    expect(await screen.findByText('pods: 4 / 10')).toBeInTheDocument();
    expect(screen.getByText('Environment storefront')).toBeInTheDocument();
    expect(screen.queryByText('Create environment')).not.toBeInTheDocument();
    expect(screen.queryByText('Edit')).not.toBeInTheDocument();
  });

  it('lets ops edit an environment, sending its spec back whole with the version read', async () => {
    const updateEnvironment = jest.fn(async () => storefront);
    await renderPage({
      listEnvironments: async () => ({
        items: [storefront],
        canManage: true,
        clusterErrors: [],
      }),
      updateEnvironment,
    });
    fireEvent.click((await screen.findAllByText('storefront'))[0]);
    fireEvent.click(await screen.findByText('Edit'));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByLabelText('Namespace')).toBeDisabled();
    fireEvent.click(await within(dialog).findByText('Zone zone-b'));
    fireEvent.change(within(dialog).getByLabelText('Quota pods'), {
      target: { value: '20' },
    });
    fireEvent.click(within(dialog).getByText('Save'));
    await waitFor(() => expect(updateEnvironment).toHaveBeenCalled());
    expect(updateEnvironment).toHaveBeenCalledWith(storefront, {
      resourceVersion: '7',
      spec: {
        namespace: 'storefront',
        owner: 'group:default/team-storefront',
        placement: { zones: ['zone-a', 'zone-b'] },
        storageClasses: [],
        quota: { pods: '20' },
        deletionPolicy: 'Orphan',
      },
    });
  });

  it('lets ops select an unlabelled node and write its zone and rack', async () => {
    const labelNodes = jest.fn(async () => ({ nodes: [] }));
    await renderPage({
      listEnvironments: async () => ({
        items: [],
        canManage: true,
        clusterErrors: [],
      }),
      labelNodes,
    });
    fireEvent.click(await screen.findByText('Nodes'));
    const unlabelled = await screen.findByLabelText('unlabelled nodes');
    fireEvent.click(within(unlabelled).getByRole('button'));
    fireEvent.click(screen.getByText('Label selected (1)'));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText('Zone'), {
      target: { value: 'zone-b' },
    });
    fireEvent.change(within(dialog).getByLabelText('Rack'), {
      target: { value: 'b-r2' },
    });
    fireEvent.click(within(dialog).getByText('Write labels'));
    await waitFor(() =>
      expect(labelNodes).toHaveBeenCalledWith('dev', {
        nodes: ['spare'],
        zone: 'zone-b',
        rack: 'b-r2',
        host: 'spare',
      }),
    );
  });
});
