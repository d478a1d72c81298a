import { renderInTestApp } from '@backstage/test-utils';
import { fireEvent, screen, within } from '@testing-library/react';
import {
  baseStone,
  stoneDetail,
  updateScenario,
} from '@cairn/plugin-rollouts-common/testUtils';
import { StoneTopologyView } from './StoneTopologyView';

describe('StoneTopologyView', () => {
  it('groups pods by zone, rack and host, coloured by revision and readiness', async () => {
    const detail = stoneDetail(updateScenario('Beta'));
    await renderInTestApp(<StoneTopologyView detail={detail} />);
    const zoneA = screen.getByRole('region', { name: 'zone zone-a' });
    const host = within(zoneA).getByTestId('host-node-a1');
    expect(
      within(host)
        .getAllByRole('img')
        .map(p => p.getAttribute('aria-label')),
    ).toEqual([
      expect.stringMatching(/^web-a-0: update revision, ready, 0 restarts/),
      expect.stringMatching(/^web-a-3: current revision, ready, 0 restarts/),
    ]);
    expect(screen.getAllByRole('region')).toHaveLength(3);
  });

  it('highlights the host and rack that lost pods', async () => {
    const detail = stoneDetail(updateScenario('Alpha'));
    detail.pods = detail.pods.filter(p => p.host !== 'node-b3');
    await renderInTestApp(<StoneTopologyView detail={detail} />);
    expect(screen.getByTestId('host-node-b3')).toHaveTextContent(
      'node-b3 — lost 1',
    );
    expect(screen.getByTestId('rack-rack-b2')).toHaveTextContent('lost 1 of 1');
  });

  it('collapses racks of a large Stone to their counts', async () => {
    const large = baseStone();
    for (const group of large.spec.coordinates) group.replicas = 40;
    const detail = stoneDetail(updateScenario('Beta', { stone: large }));
    expect(detail.pods).toHaveLength(120);
    await renderInTestApp(<StoneTopologyView detail={detail} />);
    expect(screen.queryAllByRole('img')).toHaveLength(0);
    const rack = screen.getByTestId('rack-rack-a1');
    expect(rack).toHaveTextContent('27 pods · 1 updated · 27 ready');
    fireEvent.click(within(rack).getByRole('button', { name: 'Show 2 hosts' }));
    expect(within(rack).getAllByRole('img')).toHaveLength(27);
  });
});
