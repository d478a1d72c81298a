import { renderInTestApp } from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type {
  CreateSessionRequest,
  DebugPodSummary,
  DebugToolkitList,
} from '@cairn/plugin-debug-terminal-common';
import { StartSessionDialog } from './StartSessionDialog';

// Many interactions in jsdom, on shared CPUs.
jest.setTimeout(30_000);

const pod: DebugPodSummary = {
  cluster: 'dev',
  namespace: 'shop',
  name: 'web-1',
  phase: 'Running',
  containers: [
    { name: 'app', state: 'running', ready: true, restartCount: 0 },
    { name: 'proxy', state: 'running', ready: true, restartCount: 0 },
  ],
  debugContainers: [],
};

const toolkits: DebugToolkitList = {
  items: [
    {
      name: 'netshoot',
      image: 'docker.io/nicolaka/netshoot:v0.13',
      profile: 'netadmin',
      description: 'Network: tcpdump, dig, curl',
    },
    {
      name: 'busybox',
      image: 'docker.io/library/busybox:1.37',
      profile: 'general',
      description: 'A small shell',
    },
  ],
  customImageAllowed: false,
  maxTtlSeconds: 7200,
};

async function renderDialog(
  onStart: (request: CreateSessionRequest) => Promise<void>,
) {
  await renderInTestApp(
    <StartSessionDialog
      open
      entityRef="component:default/web"
      pod={pod}
      container="proxy"
      toolkits={toolkits}
      onStart={onStart}
      onClose={() => {}}
    />,
  );
  return screen.getByRole('dialog');
}

/** Picks `option` in the MUI select labelled `label`. */
async function pick(dialog: HTMLElement, label: string, option: string) {
  await userEvent.click(within(dialog).getByLabelText(label));
  await userEvent.click(
    within(screen.getByRole('listbox')).getByRole('option', { name: option }),
  );
}

describe('StartSessionDialog', () => {
  it('starts a session on the picked container with the toolkit, profile, mode and time limit', async () => {
    const requests: CreateSessionRequest[] = [];
    const dialog = await renderDialog(async request => {
      requests.push(request);
    });
    expect(
      within(dialog).getByText(/Network: tcpdump, dig, curl/),
    ).toBeInTheDocument();

    await pick(dialog, 'Container', 'app');
    await pick(dialog, 'Toolkit', 'busybox');
    expect(within(dialog).getByText(/A small shell/)).toBeInTheDocument();
    await pick(dialog, 'Profile', 'sysadmin');
    await userEvent.click(within(dialog).getByLabelText(/^Copy of the pod/));
    const minutes = within(dialog).getByLabelText('Time limit (minutes)');
    await userEvent.clear(minutes);
    await userEvent.type(minutes, '15');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Start session' }),
    );

    expect(requests).toEqual([
      {
        entityRef: 'component:default/web',
        cluster: 'dev',
        namespace: 'shop',
        pod: 'web-1',
        container: 'app',
        toolkit: 'busybox',
        profile: 'sysadmin',
        mode: 'copy',
        ttlSeconds: 900,
      },
    ]);
  });

  it('leaves the profile to the toolkit unless one is picked, and starts on the pressed container', async () => {
    const requests: CreateSessionRequest[] = [];
    const dialog = await renderDialog(async request => {
      requests.push(request);
    });
    expect(within(dialog).getByText('The toolkit’s (netadmin)')).toBeVisible();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Start session' }),
    );
    expect(requests[0]).toMatchObject({
      container: 'proxy',
      toolkit: 'netshoot',
      mode: 'ephemeral',
      ttlSeconds: 3600,
    });
    expect(requests[0]).not.toHaveProperty('profile');
  });

  it('offers only a copy for a container that is not running, saying why, and both modes for a running one', async () => {
    const requests: CreateSessionRequest[] = [];
    await renderInTestApp(
      <StartSessionDialog
        open
        entityRef="component:default/web"
        pod={{
          ...pod,
          containers: [
            pod.containers[0],
            {
              name: 'proxy',
              state: 'waiting',
              reason: 'CrashLoopBackOff',
              ready: false,
              restartCount: 9,
            },
          ],
        }}
        container="proxy"
        toolkits={toolkits}
        onStart={async request => {
          requests.push(request);
        }}
        onClose={() => {}}
      />,
    );
    const dialog = screen.getByRole('dialog');
    const ephemeral = within(dialog).getByLabelText(/^Ephemeral container/);
    const copy = within(dialog).getByLabelText(/^Copy of the pod/);
    expect(ephemeral).toBeDisabled();
    expect(copy).toBeChecked();
    expect(
      within(dialog).getByText(
        'Not ephemeral: container "proxy" of pod shop/web-1 is waiting (CrashLoopBackOff): an ephemeral container joins a running container; a copy of the pod can debug it',
      ),
    ).toBeVisible();

    await pick(dialog, 'Container', 'app');
    expect(ephemeral).toBeEnabled();
    expect(within(dialog).queryByText(/^Not ephemeral/)).toBeNull();
    await userEvent.click(ephemeral);
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Start session' }),
    );
    expect(requests[0]).toMatchObject({ container: 'app', mode: 'ephemeral' });
  });

  it('offers ops an image outside the catalog', async () => {
    const requests: CreateSessionRequest[] = [];
    await renderInTestApp(
      <StartSessionDialog
        open
        entityRef="component:default/web"
        pod={pod}
        container="app"
        toolkits={{ ...toolkits, customImageAllowed: true }}
        onStart={async request => {
          requests.push(request);
        }}
        onClose={() => {}}
      />,
    );
    const dialog = screen.getByRole('dialog');
    await pick(dialog, 'Toolkit', 'Another image (ops)');
    const start = within(dialog).getByRole('button', { name: 'Start session' });
    expect(start).toBeDisabled();
    await userEvent.type(
      within(dialog).getByLabelText('Image'),
      'registry.example/jdk-tools:21',
    );
    await userEvent.click(start);
    expect(requests[0]).toMatchObject({
      image: 'registry.example/jdk-tools:21',
    });
    expect(requests[0]).not.toHaveProperty('toolkit');
  });

  it('offers no other image to those who may not', async () => {
    const dialog = await renderDialog(async () => {});
    await userEvent.click(within(dialog).getByLabelText('Toolkit'));
    expect(
      within(screen.getByRole('listbox'))
        .getAllByRole('option')
        .map(o => o.textContent),
    ).toEqual(['netshoot', 'busybox']);
  });

  it('refuses a time limit above the cap and shows the server’s refusal', async () => {
    const dialog = await renderDialog(async () => {
      throw new Error(
        'debug.session.create is denied for component:default/web',
      );
    });
    const minutes = within(dialog).getByLabelText('Time limit (minutes)');
    const start = within(dialog).getByRole('button', { name: 'Start session' });
    await userEvent.clear(minutes);
    await userEvent.type(minutes, '121');
    expect(within(dialog).getByText('at most 120 minutes')).toBeVisible();
    expect(start).toBeDisabled();

    await userEvent.clear(minutes);
    await userEvent.type(minutes, '5');
    await userEvent.click(start);
    expect(
      await within(dialog).findByText(
        'debug.session.create is denied for component:default/web',
      ),
    ).toBeVisible();
    expect(start).toBeEnabled();
  });
});
