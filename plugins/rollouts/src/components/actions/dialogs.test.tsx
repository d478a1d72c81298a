import { renderInTestApp } from '@backstage/test-utils';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import {
  stoneDetail,
  templateOf,
  updateScenario,
} from '@cairn/plugin-rollouts-common/testUtils';
import { RollbackDialog } from './RollbackDialog';
import { StartUpdateDialog } from './StartUpdateDialog';

function releasedDetail() {
  const scenario = updateScenario('Release');
  scenario.stone.status!.currentRevision = scenario.update.metadata!.name;
  return stoneDetail(scenario);
}

describe('StartUpdateDialog', () => {
  it('sends the new image per container after showing the template diff', async () => {
    const onStart = jest.fn().mockResolvedValue(undefined);
    await renderInTestApp(
      <StartUpdateDialog
        detail={releasedDetail()}
        onClose={() => {}}
        onStart={onStart}
      />,
    );
    const start = screen.getByRole('button', { name: 'Start update' });
    expect(screen.getByText('No changes to the pod template.')).toBeVisible();
    expect(start).toBeDisabled();

    const image = screen.getByLabelText('Image of app');
    fireEvent.change(image, { target: { value: 'Nginx' } });
    expect(
      screen.getByText(/"Nginx" is not an image reference/),
    ).toBeInTheDocument();
    expect(start).toBeDisabled();

    fireEvent.change(image, { target: { value: 'nginx:1.29' } });
    const diff = screen.getByLabelText('Template diff');
    expect(diff).toHaveTextContent('- image: nginx:1.28');
    expect(diff).toHaveTextContent('+ image: nginx:1.29');
    fireEvent.click(start);
    await waitFor(() =>
      expect(onStart).toHaveBeenCalledWith({
        images: { app: 'nginx:1.29' },
        template: undefined,
        force: undefined,
      }),
    );
  });

  it('needs force while another update is under way', async () => {
    const onStart = jest.fn().mockResolvedValue(undefined);
    await renderInTestApp(
      <StartUpdateDialog
        detail={stoneDetail(updateScenario('Beta'))}
        refusal="An update is under way"
        onClose={() => {}}
        onStart={onStart}
      />,
    );
    fireEvent.change(screen.getByLabelText('Image of app'), {
      target: { value: 'nginx:1.29' },
    });
    const start = screen.getByRole('button', { name: 'Start update' });
    expect(start).toBeDisabled();
    fireEvent.click(screen.getByLabelText('Start anyway (force; ops only)'));
    fireEvent.click(start);
    await waitFor(() =>
      expect(onStart).toHaveBeenCalledWith(
        expect.objectContaining({ force: true }),
      ),
    );
  });
});

describe('RollbackDialog', () => {
  it('offers the earlier revisions with the diff to the current template', async () => {
    const detail = stoneDetail(updateScenario('Beta'));
    detail.revisions.push({
      name: 'web-older',
      revision: 0,
      hash: 'older',
      createdAt: '2025-12-01T00:00:00.000Z',
      template: templateOf('nginx:1.26'),
    });
    const onRollback = jest.fn().mockResolvedValue(undefined);
    await renderInTestApp(
      <RollbackDialog
        detail={detail}
        onClose={() => {}}
        onRollback={onRollback}
      />,
    );
    // The update and current revisions are left to the template and to abort.
    expect(screen.getAllByRole('radio')).toHaveLength(1);
    const diff = screen.getByLabelText('Template diff');
    expect(diff).toHaveTextContent('- image: nginx:1.28');
    expect(diff).toHaveTextContent('+ image: nginx:1.26');
    fireEvent.click(screen.getByRole('button', { name: 'Roll back' }));
    await waitFor(() => expect(onRollback).toHaveBeenCalledWith('web-older'));
  });
});
