import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { DEFAULT_TOPOLOGY_LABELS } from '@cairn/operators-api';
import type {
  ClusterTopology,
  TopologyNode,
} from '@cairn/plugin-environments-common';
import { EnvironmentsApi, environmentsApiRef } from '../api';
import { NodesView } from './NodesView';

const node = (name: string, extra: Partial<TopologyNode> = {}) => ({
  name,
  zone: 'zone-a',
  rack: 'a-r1',
  host: name,
  ready: true,
  pods: 1,
  environments: [],
  ...extra,
});

// Two nodes the original system labelled, as the backend previews their import.
const topology: ClusterTopology = {
  cluster: 'dev',
  labels: DEFAULT_TOPOLOGY_LABELS,
  nodes: [
    node('node-1'),
    node('old-1', {
      zone: undefined,
      rack: undefined,
      environments: ['storefront'],
      nuwaImport: {
        'topology.kubernetes.io/zone': 'A',
        'topology.cairn.dev/rack': 'W-01',
      },
    }),
    node('old-2', {
      rack: undefined,
      nuwaImport: { 'topology.cairn.dev/rack': 'W-02' },
    }),
  ],
  storageClasses: [],
  canLabel: true,
};

const render = (
  importNodeLabels: EnvironmentsApi['importNodeLabels'],
  onChanged = jest.fn(),
  shown = topology,
) =>
  renderInTestApp(
    <TestApiProvider apis={[[environmentsApiRef, { importNodeLabels }]]}>
      <NodesView topology={shown} onChanged={onChanged} />
    </TestApiProvider>,
  );

describe('NodesView: importing nuwa labels', () => {
  it('previews what importing every node writes, then imports them all', async () => {
    const importNodeLabels = jest.fn(async () => ({ imported: [] }));
    const onChanged = jest.fn();
    await render(importNodeLabels, onChanged);
    expect(
      screen.getByText(/2 nodes have the original system's topology labels/),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByText('Import all (2)'));
    const dialog = await screen.findByRole('dialog');
    const preview = within(dialog).getByLabelText('labels to write');
    expect(
      within(preview)
        .getAllByRole('listitem')
        .map(li => li.textContent),
    ).toEqual([
      'old-1: topology.kubernetes.io/zone=A, topology.cairn.dev/rack=W-01',
      'old-2: topology.cairn.dev/rack=W-02',
    ]);
    // What the new labels may move.
    expect(
      within(dialog).getByText(/old-1 belongs to storefront/),
    ).toBeInTheDocument();
    expect(importNodeLabels).not.toHaveBeenCalled();
    fireEvent.click(within(dialog).getByText('Import labels'));
    await waitFor(() => expect(onChanged).toHaveBeenCalled());
    expect(importNodeLabels).toHaveBeenCalledWith('dev', { all: true });
  });

  it('imports the selected node only, and says why the server refused', async () => {
    const importNodeLabels = jest.fn(async () => {
      throw new Error(
        'you may not label nodes (ops): permission nodes.label is required',
      );
    });
    await render(importNodeLabels);
    // A node without nuwa labels offers no import.
    fireEvent.click(screen.getByRole('button', { name: /^node-1:/ }));
    expect(screen.queryByText(/Import nuwa labels/)).not.toBeInTheDocument();
    fireEvent.click(
      screen.getByRole('button', { name: /^old-2:.*nuwa labels to import/ }),
    );
    fireEvent.click(screen.getByText('Import nuwa labels (1)'));
    const dialog = await screen.findByRole('dialog');
    expect(
      within(within(dialog).getByLabelText('labels to write'))
        .getAllByRole('listitem')
        .map(li => li.textContent),
    ).toEqual(['old-2: topology.cairn.dev/rack=W-02']);
    fireEvent.click(within(dialog).getByText('Import labels'));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'permission nodes.label is required',
    );
    expect(importNodeLabels).toHaveBeenCalledWith('dev', {
      nodes: ['old-2'],
    });
  });

  it('tells readers who may not label of the nodes, without an import', async () => {
    await render(jest.fn(), jest.fn(), { ...topology, canLabel: false });
    expect(
      screen.getByText(/2 nodes have the original system's topology labels/),
    ).toBeInTheDocument();
    expect(screen.queryByText(/Import all/)).not.toBeInTheDocument();
  });

  it('draws the first tiles of a long list, and all of them on demand', async () => {
    const many = Array.from({ length: 130 }, (_, i) =>
      node(`n-${String(i).padStart(3, '0')}`, { zone: undefined }),
    );
    await render(jest.fn(), jest.fn(), { ...topology, nodes: many });
    const unlabelled = screen.getByLabelText('unlabelled nodes');
    expect(unlabelled.querySelectorAll('[data-node]')).toHaveLength(120);
    fireEvent.click(
      within(unlabelled).getByText('Show all 130 nodes (10 more)'),
    );
    expect(unlabelled.querySelectorAll('[data-node]')).toHaveLength(130);
  });
});
