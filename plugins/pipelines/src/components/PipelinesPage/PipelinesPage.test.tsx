import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { FakePipelinesApi, makeRunDetails } from '../../__testUtils__/fakeApi';
import { pipelinesApiRef, RunSummary } from '../../api';
import { PipelinesPage } from './PipelinesPage';

// LogViewer sizes itself to its container, which jsdom does not lay out.
jest.mock('react-virtualized-auto-sizer', () => ({
  __esModule: true,
  default: (props: {
    children: (size: { width: number; height: number }) => unknown;
  }) => props.children({ width: 800, height: 400 }),
}));

beforeAll(() => {
  // jsdom has no SVG layout; DependencyGraph measures its nodes.
  (window.SVGElement.prototype as any).getBBox = () => ({
    x: 0,
    y: 0,
    width: 190,
    height: 52,
  });
});

const shopRun: RunSummary = makeRunDetails().summary;
const cartRun: RunSummary = {
  ...shopRun,
  entityRef: 'component:default/cart',
  namespace: 'cart',
  name: 'cart-build-1',
};

async function render(api: FakePipelinesApi, route = '/pipelines') {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [pipelinesApiRef, api],
        [permissionApiRef, mockApis.permission()],
        // No entity of the catalog uses Pipelines.
        [catalogApiRef, { getEntities: async () => ({ items: [] }) }],
      ]}
    >
      <Routes>
        <Route path="/pipelines/*" element={<PipelinesPage />} />
      </Routes>
    </TestApiProvider>,
    {
      routeEntries: [route],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    },
  );
}

describe('PipelinesPage', () => {
  it('says in words, not with a spinner, that a portal with no entity using Pipelines has no runs, pipelines or entities yet', async () => {
    const api = new FakePipelinesApi();
    api.pipelines = { items: [], clusterErrors: [] };
    await render(api);
    expect(await screen.findByText('No pipeline runs yet')).toBeInTheDocument();
    expect(
      await screen.findByText(
        'No pipelines yet. Create one with "New pipeline".',
      ),
    ).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole('progressbar')).toBeNull());

    fireEvent.click(screen.getByRole('button', { name: 'Start run' }));
    const start = await screen.findByRole('dialog');
    expect(
      await within(start).findByText(
        /^No entity whose runs you may read has pipelines/,
      ),
    ).toBeInTheDocument();
    expect(within(start).queryByRole('progressbar')).toBeNull();
    fireEvent.click(within(start).getByRole('button', { name: 'Close' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());

    fireEvent.click(screen.getByRole('button', { name: 'New pipeline' }));
    const choose = await screen.findByRole('dialog');
    expect(
      await within(choose).findByText(/^No entity uses Pipelines/),
    ).toBeInTheDocument();
    // Two lists and two dialogs: slow on a busy machine.
  }, 30_000);

  it("lists every readable entity's runs with their entity, and links each run to its detail with that entity", async () => {
    const api = new FakePipelinesApi();
    api.pages = [
      { items: [shopRun, cartRun], totalCount: 2, clusterErrors: [] },
    ];
    await render(api);
    expect(await screen.findByText('cart-build-1')).toBeInTheDocument();
    // No entity: the backend answers with every entity the user may read.
    expect(api.listCalls[0].entityRef).toBeUndefined();
    expect(api.calls).toContainEqual({
      method: 'watchRuns',
      args: [undefined],
    });

    const cartRow = screen.getByText('cart-build-1').closest('tr')!;
    expect(
      within(cartRow).getByText('cart-build-1').closest('a'),
    ).toHaveAttribute(
      'href',
      '/pipelines/runs/dev/cart/cart-build-1?entityRef=component%3Adefault%2Fcart',
    );
    const entityLinks = within(cartRow)
      .getAllByRole('link')
      .map(a => a.getAttribute('href'));
    expect(entityLinks).toContain('/catalog/default/component/cart');
    const shopRow = screen.getByText('build-x1').closest('tr')!;
    expect(
      within(shopRow)
        .getAllByRole('link')
        .map(a => a.getAttribute('href')),
    ).toContain('/catalog/default/component/shop');
  });

  it('filters by entity and cluster on the server', async () => {
    const api = new FakePipelinesApi();
    api.pages = [
      { items: [shopRun, cartRun], totalCount: 2, clusterErrors: [] },
    ];
    await render(api);
    await screen.findByText('cart-build-1');

    fireEvent.mouseDown(
      within(screen.getByTestId('entity-filter').parentElement!).getByRole(
        'button',
      ),
    );
    // Entities seen in runs are offered.
    fireEvent.click(
      await screen.findByRole('option', { name: 'component:default/cart' }),
    );
    await waitFor(() =>
      expect(api.listCalls[api.listCalls.length - 1]).toMatchObject({
        entityRef: undefined,
        entity: ['component:default/cart'],
        cursor: undefined,
      }),
    );

    fireEvent.keyDown(screen.getByRole('listbox'), { key: 'Escape' });
    // Clusters seen in runs are offered.
    fireEvent.mouseDown(
      within(screen.getByTestId('cluster-filter').parentElement!).getByRole(
        'button',
      ),
    );
    fireEvent.click(await screen.findByRole('option', { name: 'dev' }));
    await waitFor(() =>
      expect(api.listCalls[api.listCalls.length - 1]).toMatchObject({
        entity: ['component:default/cart'],
        cluster: 'dev',
      }),
    );
  });

  it("opens a run's detail with the entity its address names", async () => {
    const api = new FakePipelinesApi();
    api.details = {
      ...makeRunDetails(),
      summary: cartRun,
    };
    await render(
      api,
      '/pipelines/runs/dev/cart/cart-build-1?entityRef=component%3Adefault%2Fcart',
    );
    expect(await screen.findByText('All runs')).toHaveAttribute(
      'href',
      '/pipelines',
    );
    expect(api.calls).toContainEqual({
      method: 'getRun',
      args: [
        'component:default/cart',
        { cluster: 'dev', namespace: 'cart', name: 'cart-build-1' },
      ],
    });
    // The step log is read as the run's entity, too.
    await waitFor(() =>
      expect(api.calls.find(c => c.method === 'getStepLog')?.args[0]).toBe(
        'component:default/cart',
      ),
    );
  });

  it('says what is missing when a run address names no entity', async () => {
    const api = new FakePipelinesApi();
    api.details = makeRunDetails();
    await render(api, '/pipelines/runs/dev/shop/build-x1');
    expect(
      await screen.findByText(/This address does not name an entity/),
    ).toBeInTheDocument();
    expect(api.calls.some(c => c.method === 'getRun')).toBe(false);
  });
});
