import { renderInTestApp } from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import {
  stoneDetail,
  updateScenario,
} from '@cairn/plugin-rollouts-common/testUtils';
import { StageStepper } from './StageStepper';

describe('StageStepper', () => {
  it('shows the current stage, how long it has run, and who approved each stage', async () => {
    const scenario = updateScenario('Beta');
    scenario.stone.status!.stageComplete = false;
    const detail = stoneDetail(scenario, {
      approvals: [
        {
          stage: 'Beta',
          revision: scenario.update.metadata!.name!,
          approvedBy: 'user:default/olga',
          approvedAt: '2026-01-02T00:00:00.000Z',
          comment: 'canary is fine',
          forced: false,
        },
        {
          // An approval of an earlier update is not this update's.
          stage: 'Alpha',
          revision: 'web-older',
          approvedBy: 'user:default/ivan',
          approvedAt: '2025-12-01T00:00:00.000Z',
          forced: false,
        },
      ],
    });
    await renderInTestApp(
      <StageStepper
        detail={detail}
        now={new Date('2026-01-02T01:30:00.000Z').getTime()}
      />,
    );
    const beta = screen.getByTestId('stage-Beta');
    expect(
      within(beta).getByText('in progress for 1h 30m'),
    ).toBeInTheDocument();
    expect(
      within(beta).getByText(/approved by user:default\/olga on/),
    ).toHaveTextContent('“canary is fine”');
    expect(screen.queryByText(/user:default\/ivan/)).not.toBeInTheDocument();
    expect(
      within(screen.getByTestId('stage-Omega')).queryByText(/in progress/),
    ).not.toBeInTheDocument();
  });

  it('says a complete stage awaits approval', async () => {
    await renderInTestApp(
      <StageStepper detail={stoneDetail(updateScenario('Alpha'))} />,
    );
    expect(
      within(screen.getByTestId('stage-Alpha')).getByText(
        'complete — awaiting approval',
      ),
    ).toBeInTheDocument();
  });
});
