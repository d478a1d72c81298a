import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { fireEvent, screen, within } from '@testing-library/react';
import {
  stoneDetail,
  updateScenario,
} from '@cairn/plugin-rollouts-common/testUtils';
import { RolloutsApi, rolloutsApiRef } from '../api';
import { RolloutsPage } from './RolloutsPage';

function renderPage(api: Partial<RolloutsApi>) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [rolloutsApiRef, api],
        [permissionApiRef, mockApis.permission()],
      ]}
    >
      <RolloutsPage />
    </TestApiProvider>,
  );
}

// Whole pages of Material UI in jsdom take seconds when the machine is busy
// (CI shares it with the other suites): a bound, not a measure.
jest.setTimeout(30_000);

describe('RolloutsPage', () => {
  it('lists the Stones of every cluster, and opens the one picked', async () => {
    const dev = stoneDetail(updateScenario('Beta'), {
      cluster: 'dev',
      entityRef: 'component:default/web',
    });
    const east = stoneDetail(updateScenario('Alpha'), {
      cluster: 'east',
      entityRef: 'component:default/shop',
    });
    const getStone = jest.fn(async () => east);
    await renderPage({
      listStones: async () => ({
        items: [dev.summary, east.summary],
        clusterErrors: [{ cluster: 'west', message: 'connection refused' }],
      }),
      getStone,
    });

    const table = await screen.findByRole('table');
    const rows = within(table).getAllByRole('row').slice(1);
    expect(
      rows.map(r => within(r).getAllByRole('cell')[2].textContent),
    ).toEqual(['dev', 'east']);
    expect(rows[0]).toHaveTextContent('component:default/web');
    expect(rows[0]).toHaveTextContent('Beta (complete)');
    expect(rows[1]).toHaveTextContent('component:default/shop');
    expect(rows[1]).toHaveTextContent('Alpha (complete)');
    expect(screen.getByRole('alert')).toHaveTextContent(
      'west: connection refused',
    );

    fireEvent.click(rows[1]);
    expect(
      await screen.findByText('east / shop · component:default/shop'),
    ).toBeInTheDocument();
    expect(getStone).toHaveBeenCalledWith(
      expect.objectContaining({
        cluster: 'east',
        namespace: 'shop',
        name: 'web',
        entityRef: 'component:default/shop',
      }),
    );
  });

  it('says when no Stone belongs to an entity the user may see', async () => {
    await renderPage({
      listStones: async () => ({ items: [], clusterErrors: [] }),
    });
    expect(await screen.findByText('No Stones')).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('shows the server’s error when the list fails', async () => {
    await renderPage({
      listStones: async () => {
        throw new Error('the rollouts backend is unavailable');
      },
    });
    expect(
      await screen.findAllByText(/the rollouts backend is unavailable/),
    ).not.toHaveLength(0);
  });
});
