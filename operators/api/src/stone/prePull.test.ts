import type { V1Pod } from '@kubernetes/client-node';
import { threeZoneStone } from './__testUtils__/fixtures';
import { buildPrePullPod, prePullPodName, prePullState } from './prePull';

const stone = threeZoneStone();
stone.spec.template.spec!.imagePullSecrets = [{ name: 'registry' }];
const pod = buildPrePullPod({
  stone,
  revision: 'web-abc',
  node: 'node-a1-1',
  images: ['nginx:1.26', 'busybox:1.37'],
  template: stone.spec.template,
});

const withStatuses = (...states: object[]): V1Pod => ({
  ...pod,
  status: {
    containerStatuses: states.map((state, i) => ({
      name: `pull-${i}`,
      image: '',
      imageID: '',
      ready: false,
      restartCount: 0,
      state,
    })),
  },
});

describe('buildPrePullPod', () => {
  it('runs a no-op of each image on the node, outside the Stone’s Services', () => {
    expect(pod.metadata).toMatchObject({
      name: prePullPodName('web-abc', 'node-a1-1'),
      namespace: 'shop',
      labels: {
        'rollouts.cairn.dev/pre-pull': 'web-abc',
        'rollouts.cairn.dev/pre-pull-for': 'web',
      },
      ownerReferences: [{ kind: 'Stone', uid: 'stone-uid' }],
    });
    expect(pod.metadata!.labels!['rollouts.cairn.dev/stone']).toBeUndefined();
    expect(pod.spec).toEqual({
      nodeName: 'node-a1-1',
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 0,
      imagePullSecrets: [{ name: 'registry' }],
      containers: [
        { name: 'pull-0', image: 'nginx:1.26', command: ['true'] },
        { name: 'pull-1', image: 'busybox:1.37', command: ['true'] },
      ],
    });
  });

  it('names one pod per revision and node', () => {
    expect(prePullPodName('web-abc', 'node-a1-1')).toMatch(/^web-abc-pull-/);
    expect(prePullPodName('web-abc', 'node-a1-2')).not.toBe(
      prePullPodName('web-abc', 'node-a1-1'),
    );
  });
});

describe('prePullState', () => {
  it('is pulling until every container ran or could not start', () => {
    expect(prePullState(pod).state).toBe('pulling');
    expect(
      prePullState(
        withStatuses(
          { terminated: { exitCode: 0 } },
          { waiting: { reason: 'ContainerCreating' } },
        ),
      ).state,
    ).toBe('pulling');
    expect(
      prePullState(
        withStatuses({ waiting: { reason: 'ErrImagePull' } }, { running: {} }),
      ).state,
    ).toBe('pulling');
    expect(
      prePullState(
        withStatuses(
          { terminated: { exitCode: 0 } },
          { waiting: { reason: 'RunContainerError' } },
        ),
      ).state,
    ).toBe('pulled');
  });

  it('fails on ImagePullBackOff, naming the container', () => {
    expect(
      prePullState(
        withStatuses(
          { terminated: { exitCode: 0 } },
          {
            waiting: {
              reason: 'ImagePullBackOff',
              message: 'Back-off pulling image "busybox:9.99"',
            },
          },
        ),
      ),
    ).toEqual({
      state: 'failed',
      container: 'pull-1',
      reason: 'ImagePullBackOff',
      message: 'Back-off pulling image "busybox:9.99"',
    });
  });
});
