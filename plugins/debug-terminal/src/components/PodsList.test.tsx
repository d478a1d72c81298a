import { renderInTestApp } from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type {
  DebugPodList,
  DebugPodSummary,
} from '@cairn/plugin-debug-terminal-common';
import { PodsList } from './PodsList';

// Many interactions in jsdom, on shared CPUs.
jest.setTimeout(30_000);

const pod = (
  cluster: string,
  name: string,
  state: 'running' | 'waiting',
): DebugPodSummary => ({
  cluster,
  namespace: 'shop',
  name,
  phase: 'Running',
  containers: [
    {
      name: 'app',
      state,
      ...(state === 'waiting' ? { reason: 'CrashLoopBackOff' } : {}),
      ready: state === 'running',
      restartCount: state === 'running' ? 0 : 7,
    },
  ],
  debugContainers: [],
});

async function renderPods(value: DebugPodList) {
  const debugged: string[] = [];
  const shells: string[] = [];
  await renderInTestApp(
    <PodsList
      pods={{ loading: false, value }}
      onDebug={(p, c) => debugged.push(`${p.cluster}/${p.name}/${c}`)}
      onShell={(p, c) => shells.push(`${p.cluster}/${p.name}/${c}`)}
      onRefresh={() => {}}
    />,
  );
  return { debugged, shells };
}

describe('PodsList', () => {
  it('lists the pods per cluster with Debug and Shell per container; a container that is not running has no shell', async () => {
    const { debugged, shells } = await renderPods({
      items: [pod('east', 'web-1', 'running'), pod('west', 'web-2', 'waiting')],
      clusterErrors: [],
    });
    const east = screen.getByRole('table', { name: 'Pods on cluster east' });
    const west = screen.getByRole('table', { name: 'Pods on cluster west' });
    expect(within(west).getByText('waiting: CrashLoopBackOff')).toBeVisible();
    expect(
      within(west).getByRole('button', { name: 'Shell web-2 app' }),
    ).toBeDisabled();

    await userEvent.click(
      within(east).getByRole('button', { name: 'Shell web-1 app' }),
    );
    await userEvent.click(
      within(west).getByRole('button', { name: 'Debug web-2 app' }),
    );
    expect(shells).toEqual(['east/web-1/app']);
    expect(debugged).toEqual(['west/web-2/app']);
  });

  it('disables Debug on a pod that has finished, with the reason in its tooltip', async () => {
    await renderPods({
      items: [
        {
          ...pod('east', 'migrate-1', 'running'),
          phase: 'Succeeded',
          containers: [
            {
              name: 'app',
              state: 'terminated',
              reason: 'Completed',
              ready: false,
              restartCount: 0,
            },
          ],
        },
        pod('east', 'web-1', 'running'),
      ],
      clusterErrors: [],
    });
    const finished = screen.getByRole('button', {
      name: 'Debug migrate-1 app',
    });
    expect(finished).toBeDisabled();
    expect(
      screen.getByRole('button', { name: 'Debug web-1 app' }),
    ).toBeEnabled();

    await userEvent.hover(finished.parentElement!);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      'pod shop/migrate-1 has finished (phase Succeeded): its containers will not run again, so no debug container can start in it',
    );
  });

  it('says there are no pods, and names a cluster that did not answer', async () => {
    await renderPods({
      items: [],
      clusterErrors: [
        { cluster: 'east', message: 'connect ECONNREFUSED 10.0.0.1:6443' },
      ],
    });
    expect(
      screen.getByText(/No pods of this entity are running/),
    ).toBeVisible();
    expect(
      screen.getByText(/Pods of 1 cluster\(s\) are missing/),
    ).toBeInTheDocument();
  });

  it('shows the server’s error', async () => {
    await renderInTestApp(
      <PodsList
        pods={{
          loading: false,
          error: new Error('catalog.entity.read is denied'),
        }}
        onDebug={() => {}}
        onShell={() => {}}
        onRefresh={() => {}}
      />,
    );
    expect(
      screen.getAllByText(/catalog\.entity\.read is denied/),
    ).not.toHaveLength(0);
  });
});
