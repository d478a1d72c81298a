import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { RolloutsApi, rolloutsApiRef } from '../api';
import { StonesList } from './StonesList';

function renderList(listStones: RolloutsApi['listStones']) {
  return renderInTestApp(
    <TestApiProvider apis={[[rolloutsApiRef, { listStones }]]}>
      <StonesList entityRef="component:default/web" />
    </TestApiProvider>,
  );
}

describe('StonesList', () => {
  it('says the entity has no Stones, and which clusters did not answer', async () => {
    await renderList(async () => ({
      items: [],
      clusterErrors: [
        { cluster: 'east', message: 'connect ECONNREFUSED 10.0.0.1:6443' },
      ],
    }));
    expect(await screen.findByText('No Stones')).toBeInTheDocument();
    expect(
      screen.getByText(/Stones of 1 cluster\(s\) are missing/),
    ).toBeInTheDocument();
    expect(
      screen.getByText('east: connect ECONNREFUSED 10.0.0.1:6443'),
    ).toBeVisible();
  });

  it('shows the server’s error when the list fails', async () => {
    await renderList(async () => {
      throw new Error(
        'rollouts.stone.read is denied for component:default/web',
      );
    });
    expect(
      await screen.findAllByText(
        /rollouts\.stone\.read is denied for component:default\/web/,
      ),
    ).not.toHaveLength(0);
  });
});
