import type { V1Pod, V1PodTemplateSpec } from '@kubernetes/client-node';
import { applyPatch, Operation } from 'fast-json-patch';
import { runningPod, threeZoneStone } from './__testUtils__/fixtures';
import {
  inPlaceEligibility,
  inPlacePatch,
  inPlaceState,
  inPlaceUpdateDone,
} from './inPlace';
import { buildPod } from './objects';

const base = threeZoneStone().spec.template;
const edit = (change: (t: V1PodTemplateSpec) => void) => {
  const copy: V1PodTemplateSpec = JSON.parse(JSON.stringify(base));
  change(copy);
  return copy;
};

describe('inPlaceEligibility', () => {
  it('updates changed images in place', () => {
    expect(
      inPlaceEligibility(
        base,
        edit(t => {
          t.spec!.containers[0].image = 'nginx:1.26';
        }),
      ),
    ).toEqual({
      inPlace: true,
      images: { app: 'nginx:1.26' },
      labels: {},
      annotations: {},
    });
  });

  it('updates labels and annotations in place, removing those dropped', () => {
    expect(
      inPlaceEligibility(
        edit(t => {
          t.metadata!.annotations = { old: 'x' };
        }),
        edit(t => {
          t.metadata!.labels = { app: 'web', tier: 'front' };
          t.metadata!.annotations = { note: 'y' };
        }),
      ),
    ).toEqual({
      inPlace: true,
      images: {},
      labels: { tier: 'front' },
      annotations: { old: null, note: 'y' },
    });
  });

  it.each([
    [
      'an environment variable',
      (t: V1PodTemplateSpec) => {
        t.spec!.containers[1].env = [{ name: 'A', value: '1' }];
      },
      'spec.containers[sidecar].env',
    ],
    [
      'a command next to an image',
      (t: V1PodTemplateSpec) => {
        t.spec!.containers[0].image = 'nginx:1.26';
        t.spec!.containers[1].command = ['sleep', '2d'];
      },
      'spec.containers[sidecar].command',
    ],
    [
      'a renamed container',
      (t: V1PodTemplateSpec) => {
        t.spec!.containers[0].name = 'main';
      },
      'spec.containers[app].name',
    ],
    [
      'an init container image',
      (t: V1PodTemplateSpec) => {
        t.spec!.initContainers = [{ name: 'init', image: 'busybox:1.37' }];
      },
      'spec.initContainers',
    ],
    [
      'the template name',
      (t: V1PodTemplateSpec) => {
        t.metadata!.name = 'x';
      },
      'metadata.name',
    ],
  ])('recreates for %s, naming the field', (_what, change, field) => {
    expect(inPlaceEligibility(base, edit(change))).toEqual({
      inPlace: false,
      reason: field,
    });
  });
});

describe('in-place steps', () => {
  const stone = threeZoneStone();
  const pod = runningPod(
    buildPod({
      stone,
      group: stone.spec.coordinates[0],
      index: 0,
      revisionName: 'web-old',
      template: base,
      rackLabel: 'topology.cairn.dev/rack',
    }),
    { resourceVersion: '42' },
  );
  const to = edit(t => {
    t.spec!.containers[0].image = 'nginx:1.26';
  });
  const change = inPlaceEligibility(base, to);
  if (!change.inPlace) throw new Error('expected in place');
  const now = new Date('2026-02-01T10:00:00Z');
  const patch = inPlacePatch(pod, 'web-new', change, now);
  const apply = (target: V1Pod) =>
    applyPatch(structuredClone(target), patch as Operation[], true, false)
      .newDocument as V1Pod;
  // The pod after the patch, as the API server applies it.
  const patched = apply(pod);

  it('patches the images, the revision label and the old IDs', () => {
    expect(patched.spec!.containers.map(c => c.image)).toEqual([
      'nginx:1.26',
      'busybox:1.36',
    ]);
    expect(patched.metadata!.labels!['controller-revision-hash']).toBe(
      'web-new',
    );
    expect(
      JSON.parse(
        patched.metadata!.annotations!['rollouts.cairn.dev/in-place-update'],
      ),
    ).toEqual({
      revision: 'web-new',
      updateTimestamp: '2026-02-01T10:00:00.000Z',
      lastContainerStatuses: {
        app: {
          imageID: 'docker.io/library/nginx@sha256:nginx:1.25',
          containerID: 'cairn://web-a-0-app-nginx:1.25',
        },
      },
    });
    // Nothing else: the status is the kubelet's.
    expect(patched.status).toEqual(JSON.parse(JSON.stringify(pod.status)));
  });

  it('applies only to the pod as it was read', () => {
    expect(() => apply(patched)).toThrow(/Test operation failed/);
    const reordered = {
      ...pod,
      spec: { ...pod.spec!, containers: [...pod.spec!.containers].reverse() },
    };
    expect(() => apply(reordered)).toThrow(/Test operation failed/);
  });

  it('sets and removes labels and annotations, escaping their keys', () => {
    const labelled: V1Pod = {
      ...pod,
      metadata: {
        ...pod.metadata,
        labels: { ...pod.metadata!.labels, 'example.com/old': 'x' },
      },
    };
    const result = applyPatch(
      structuredClone(labelled),
      inPlacePatch(
        labelled,
        'web-new',
        {
          inPlace: true,
          images: {},
          labels: {
            'example.com/old': null,
            'example.com/gone': null,
            tier: 'a',
          },
          annotations: { 'note/x': 'y' },
        },
        now,
      ) as Operation[],
      true,
      false,
    ).newDocument as V1Pod;
    expect(result.metadata!.labels).toEqual({
      ...pod.metadata!.labels,
      'controller-revision-hash': 'web-new',
      tier: 'a',
    });
    expect(result.metadata!.annotations!['note/x']).toBe('y');
    expect(result.spec).toEqual(pod.spec);
  });

  const withApp = (status: object): V1Pod => ({
    ...patched,
    status: {
      ...patched.status,
      containerStatuses: [
        { ...patched.status!.containerStatuses![0], ...status },
        patched.status!.containerStatuses![1],
      ],
    },
  });

  it('reads the recorded state back', () => {
    expect(inPlaceState(patched)?.revision).toBe('web-new');
    expect(
      inPlaceState({
        metadata: {
          annotations: { 'rollouts.cairn.dev/in-place-update': '{' },
        },
      }),
    ).toBeUndefined();
  });

  it('is not done until the changed container runs the new image and is ready', () => {
    expect(inPlaceUpdateDone(patched)).toBe(false);
    const restarted = {
      image: 'docker.io/library/nginx:1.26',
      imageID: 'docker.io/library/nginx@sha256:new',
      containerID: 'cairn://new',
      restartCount: 1,
    };
    expect(inPlaceUpdateDone(withApp({ ...restarted, ready: false }))).toBe(
      false,
    );
    expect(inPlaceUpdateDone(withApp(restarted))).toBe(true);
  });

  it('counts a new container of an image with the same digest as done (kruise#635)', () => {
    expect(
      inPlaceUpdateDone(
        withApp({
          image: 'docker.io/library/nginx:1.26',
          containerID: 'cairn://new',
        }),
      ),
    ).toBe(true);
  });

  it('does not take a crash restart of the old image for the update', () => {
    expect(
      inPlaceUpdateDone(
        withApp({
          image: 'docker.io/library/nginx:1.25',
          containerID: 'cairn://crashed',
        }),
      ),
    ).toBe(false);
  });

  it('treats a pod without state, or moved on since, as done', () => {
    expect(inPlaceUpdateDone(pod)).toBe(true);
    expect(
      inPlaceUpdateDone({
        ...patched,
        metadata: {
          ...patched.metadata,
          labels: {
            ...patched.metadata!.labels,
            'controller-revision-hash': 'web-other',
          },
        },
      }),
    ).toBe(true);
  });
});
