import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { act, screen } from '@testing-library/react';
import { mockSignalApi } from '@cairn/plugin-kubernetes-react/testUtils';
import {
  ROLLOUTS_SIGNAL_CHANNEL,
  StoneList,
} from '@cairn/plugin-rollouts-common';
import {
  stoneDetail,
  updateScenario,
} from '@cairn/plugin-rollouts-common/testUtils';
import { RolloutsApi, rolloutsApiRef } from '../api';
import { StonesList } from './StonesList';

function renderList(listStones: RolloutsApi['listStones']) {
  return renderInTestApp(
    <TestApiProvider apis={[[rolloutsApiRef, { listStones }]]}>
      <StonesList entityRef="component:default/web" />
    </TestApiProvider>,
  );
}

const entityRef = 'component:default/web';
const stone = stoneDetail(updateScenario('Alpha'), { entityRef });
const change = { cluster: 'dev', namespace: 'shop', name: 'web', entityRef };

/** The list with Signals; `lists` answers each listStones in turn. */
async function renderSignalled(lists: Array<Promise<StoneList>>) {
  const signals = mockSignalApi();
  let calls = 0;
  const listStones = jest.fn(() => lists[calls++]);
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [rolloutsApiRef, { listStones, getStone: async () => stone }],
        [signalApiRef, signals.api],
        [permissionApiRef, mockApis.permission()],
      ]}
    >
      <StonesList entityRef={entityRef} />
    </TestApiProvider>,
  );
  const publish = (message: object) =>
    act(() => signals.publish(ROLLOUTS_SIGNAL_CHANNEL, message));
  return { listStones, publish };
}

// Whole Stone views in jsdom take seconds when the machine is busy: a
// bound, not a measure.
jest.setTimeout(30_000);

describe('StonesList', () => {
  it('lists a Stone of the entity the backend signals, and not again for one shown or of another entity', async () => {
    const { listStones, publish } = await renderSignalled([
      Promise.resolve({ items: [], clusterErrors: [] }),
      Promise.resolve({ items: [stone.summary], clusterErrors: [] }),
    ]);
    expect(await screen.findByText('No Stones')).toBeInTheDocument();
    publish({ ...change, entityRef: 'component:default/other' });
    expect(listStones).toHaveBeenCalledTimes(1);
    publish(change);
    expect(listStones).toHaveBeenCalledTimes(2);
    await screen.findByRole('button', { name: 'Approve Beta' });
    // Shown now: its own view refetches it, the list stays.
    publish(change);
    expect(listStones).toHaveBeenCalledTimes(2);
  });

  it('loads again when a Stone of the entity is signalled during the first load', async () => {
    let answerFirst: (list: StoneList) => void = () => {};
    const { listStones, publish } = await renderSignalled([
      new Promise(resolve => {
        answerFirst = resolve;
      }),
      Promise.resolve({ items: [stone.summary], clusterErrors: [] }),
    ]);
    publish(change);
    expect(listStones).toHaveBeenCalledTimes(2);
    // The first answer was read before the Stone was created.
    await act(async () => answerFirst({ items: [], clusterErrors: [] }));
    expect(
      await screen.findByRole('button', { name: 'Approve Beta' }),
    ).toBeInTheDocument();
    expect(screen.queryByText('No Stones')).toBeNull();
  });

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
