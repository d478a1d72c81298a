import { summarizePod } from './podSummary';

describe('summarizePod', () => {
  it('gives each container and debug container its state, reason and restarts', () => {
    const summary = summarizePod('dev', {
      metadata: {
        name: 'web-1',
        namespace: 'shop',
        creationTimestamp: new Date('2026-12-07T10:00:00Z'),
      },
      spec: {
        containers: [
          { name: 'app', image: 'web:1' },
          { name: 'sidecar', image: 'proxy:2' },
          { name: 'init-wait' },
        ],
        ephemeralContainers: [
          { name: 'debugger-abc', image: 'netshoot:v0.13' },
        ],
      },
      status: {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'app',
            image: 'web:1',
            imageID: '',
            ready: true,
            restartCount: 0,
            state: { running: { startedAt: new Date() } },
          },
          {
            name: 'sidecar',
            image: 'proxy:2',
            imageID: '',
            ready: false,
            restartCount: 4,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
          },
        ],
        ephemeralContainerStatuses: [
          {
            name: 'debugger-abc',
            image: 'netshoot:v0.13',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode: 0, reason: 'Completed' } },
          },
        ],
      },
    });
    expect(summary).toEqual({
      cluster: 'dev',
      namespace: 'shop',
      name: 'web-1',
      phase: 'Running',
      createdAt: '2026-12-07T10:00:00.000Z',
      containers: [
        {
          name: 'app',
          image: 'web:1',
          state: 'running',
          ready: true,
          restartCount: 0,
        },
        {
          name: 'sidecar',
          image: 'proxy:2',
          state: 'waiting',
          reason: 'CrashLoopBackOff',
          ready: false,
          restartCount: 4,
        },
        {
          name: 'init-wait',
          state: 'unknown',
          ready: false,
          restartCount: 0,
        },
      ],
      debugContainers: [
        {
          name: 'debugger-abc',
          image: 'netshoot:v0.13',
          state: 'terminated',
          reason: 'Completed',
          ready: false,
          restartCount: 0,
        },
      ],
    });
  });
});
