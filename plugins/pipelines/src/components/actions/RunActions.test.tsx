import {
  renderInTestApp,
  TestApiProvider,
  mockApis,
} from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  getRunStatus,
  PipelineRunSpecStatus,
} from '@cairn/plugin-pipelines-common';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import {
  FakePipelinesApi,
  makeRunDetails,
  summarize,
} from '../../__testUtils__/fakeApi';
import { pipelinesApiRef } from '../../api';
import { PipelinesRouter } from '../PipelinesRouter';

// LogViewer sizes itself to its container, which jsdom does not lay out.
jest.mock('react-virtualized-auto-sizer', () => ({
  __esModule: true,
  default: (props: {
    children: (size: { width: number; height: number }) => unknown;
  }) => props.children({ width: 800, height: 400 }),
}));

const entityRef = 'component:default/shop';

beforeAll(() => {
  // jsdom has no SVG layout; DependencyGraph measures its nodes.
  (window.SVGElement.prototype as any).getBBox = () => ({
    x: 0,
    y: 0,
    width: 190,
    height: 52,
  });
});

/**
 * The run detail page of a run whose Succeeded condition is this; `allowed`
 * names the permissions the user has (all by default).
 */
async function renderRun(
  status: 'False' | 'Unknown',
  reason: string,
  options: {
    specStatus?: PipelineRunSpecStatus;
    allowed?: string[];
    /** Another entity: usePermission keeps answers per entity across tests. */
    entity?: string;
  } = {},
) {
  const api = new FakePipelinesApi();
  const details = makeRunDetails();
  details.run.spec.status = options.specStatus ?? 'Cancelled';
  details.run.status!.conditions = [
    { type: 'Succeeded', status, reason, message: `${reason} message` },
  ];
  details.summary = summarize(details.run, details.taskRuns);
  api.details = details;
  const { allowed } = options;
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [pipelinesApiRef, api],
        [
          permissionApiRef,
          mockApis.permission({
            authorize: request =>
              !allowed || allowed.includes(request.permission.name)
                ? ('ALLOW' as any)
                : ('DENY' as any),
          }),
        ],
      ]}
    >
      <PipelinesRouter entityRef={options.entity ?? entityRef} />
    </TestApiProvider>,
    { routeEntries: ['/runs/dev/shop/build-x1'] },
  );
  // Buttons are shown disabled while permissions load; wait for the answers.
  const deleteButton = await screen.findByRole('button', { name: 'Delete' });
  await waitFor(() => expect(deleteButton).toBeEnabled());
  return { api, details };
}

describe('RunActions', () => {
  it('offers Cancel again on a run whose cancel Tekton could not complete, as the server accepts it', async () => {
    const { api, details } = await renderRun(
      'Unknown',
      'PipelineRunCouldntCancel',
    );
    // Shown as failed, though the run has not ended.
    expect(getRunStatus(details.run).status).toBe('failed');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    fireEvent.click(screen.getByRole('button', { name: 'Cancel run' }));
    await waitFor(() =>
      expect(api.calls).toContainEqual({
        method: 'cancelRun',
        args: [
          entityRef,
          { cluster: 'dev', namespace: 'shop', name: 'build-x1' },
          'Cancelled',
        ],
      }),
    );
  });

  it('does not offer Cancel once the run has finished', async () => {
    await renderRun('False', 'Cancelled');
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull();
  });

  describe('a held run (PipelineRunPending)', () => {
    const held = { specStatus: 'PipelineRunPending' as const };
    const read = 'pipelines.run.read';
    const del = 'pipelines.run.delete';

    it('offers Start now to a user who may start runs, though not cancel them', async () => {
      const { api } = await renderRun('Unknown', 'PipelineRunPending', {
        ...held,
        allowed: [read, del, 'pipelines.run.create'],
      });
      const start = screen.getByRole('button', { name: 'Start now' });
      await waitFor(() => expect(start).toBeEnabled());
      fireEvent.click(start);
      await waitFor(() =>
        expect(api.calls).toContainEqual({
          method: 'startPendingRun',
          args: [
            entityRef,
            { cluster: 'dev', namespace: 'shop', name: 'build-x1' },
          ],
        }),
      );
    });

    it('does not offer Start now to a user who may cancel runs but not start them, as the server refuses', async () => {
      await renderRun('Unknown', 'PipelineRunPending', {
        ...held,
        allowed: [read, del, 'pipelines.run.cancel'],
        entity: 'component:default/held-elsewhere',
      });
      await waitFor(() =>
        expect(screen.getByRole('button', { name: 'Cancel' })).toBeEnabled(),
      );
      await waitFor(() =>
        expect(screen.queryByRole('button', { name: 'Start now' })).toBeNull(),
      );
    });
  });
});
