import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { DebugSessionSummary } from '@cairn/plugin-debug-terminal-common';
import { DebugTerminalApi, debugTerminalApiRef } from '../api';
import { SessionsList } from './SessionsList';

// Many interactions in jsdom, on shared CPUs.
jest.setTimeout(30_000);

const ENTITY = 'component:default/web';

const session = (
  name: string,
  phase: DebugSessionSummary['phase'],
): DebugSessionSummary => ({
  cluster: 'dev',
  namespace: 'shop',
  name,
  entityRef: ENTITY,
  podName: 'web-1',
  targetContainer: 'app',
  toolkit: 'netshoot',
  mode: 'ephemeral',
  phase,
  requestedBy: 'user:default/ann',
  createdAt: '2026-12-07T10:00:00Z',
  expiresAt: '2026-12-07T11:00:00Z',
});

async function renderList(
  api: Partial<DebugTerminalApi>,
  onAttach: (session: unknown, title: string) => void = () => {},
) {
  await renderInTestApp(
    <TestApiProvider apis={[[debugTerminalApiRef, api]]}>
      <SessionsList entityRef={ENTITY} onAttach={onAttach} />
    </TestApiProvider>,
  );
}

describe('SessionsList', () => {
  it('lists open sessions to attach to or end, and past ones', async () => {
    const ended: unknown[] = [];
    const attached: Array<[unknown, string]> = [];
    let items = [
      session('debug-web-1-a', 'Active'),
      session('debug-web-1-b', 'Pending'),
      session('debug-web-1-c', 'Expired'),
    ];
    await renderList(
      {
        listSessions: async () => ({ items }),
        endSession: async ref => {
          ended.push(ref);
          items = items.map(s =>
            s.name === 'debug-web-1-a' ? { ...s, phase: 'Ended' } : s,
          );
        },
      },
      (ref, title) => attached.push([ref, title]),
    );

    const open = await screen.findByRole('table', { name: 'Open sessions' });
    const past = screen.getByRole('table', { name: 'Past sessions' });
    expect(screen.getByText('Open (2)')).toBeInTheDocument();
    expect(within(past).getByText('Expired')).toBeInTheDocument();
    // A Pending session has no container to attach to yet.
    expect(
      within(open).getByRole('button', { name: 'Attach to debug-web-1-b' }),
    ).toBeDisabled();

    await userEvent.click(
      within(open).getByRole('button', { name: 'Attach to debug-web-1-a' }),
    );
    expect(attached).toEqual([
      [
        {
          cluster: 'dev',
          namespace: 'shop',
          name: 'debug-web-1-a',
          entityRef: ENTITY,
        },
        'web-1 / app',
      ],
    ]);

    await userEvent.click(
      within(open).getByRole('button', { name: 'End debug-web-1-a' }),
    );
    expect(ended).toEqual([
      {
        cluster: 'dev',
        namespace: 'shop',
        name: 'debug-web-1-a',
        entityRef: ENTITY,
      },
    ]);
    expect(await screen.findByText('Past (2)')).toBeInTheDocument();
  });

  it('says there are no sessions yet', async () => {
    await renderList({ listSessions: async () => ({ items: [] }) });
    expect(
      await screen.findByText(/No debug sessions yet/),
    ).toBeInTheDocument();
  });

  it('shows the server’s error', async () => {
    await renderList({
      listSessions: async () => {
        throw new Error(
          'catalog.entity.read is denied for component:default/web',
        );
      },
    });
    expect(
      await screen.findAllByText(/catalog\.entity\.read is denied/),
    ).not.toHaveLength(0);
  });
});
