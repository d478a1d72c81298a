import type {
  V1ControllerRevision,
  V1Pod,
  V1PodTemplateSpec,
  V1Service,
} from '@kubernetes/client-node';
import { applyPatch, Operation } from 'fast-json-patch';
import { runningPod, threeZoneStone } from './__testUtils__/fixtures';
import { buildPod } from './objects';
import { planStone, StoneAction, StoneObservation } from './plan';
import { prePullPodName } from './prePull';
import { decideUpdateRevision } from './revisions';
import { Stone, StoneSpec } from './types';

const now = new Date('2026-03-01T12:00:00Z');
const seconds = (n: number) => new Date(now.getTime() + n * 1000);

function revisionOf(stone: Stone, number: number): V1ControllerRevision {
  const decision = decideUpdateRevision(stone, []);
  return { ...decision.revision, revision: number };
}

function podAt(
  stone: Stone,
  revision: V1ControllerRevision,
  group: number,
  index: number,
): V1Pod {
  return runningPod(
    buildPod({
      stone,
      group: stone.spec.coordinates[group],
      index,
      revisionName: revision.metadata!.name!,
      template: revision.data.spec.template,
      rackLabel: 'topology.cairn.dev/rack',
    }),
  );
}

function observe(
  stone: Stone,
  rest: Partial<StoneObservation> = {},
): StoneObservation {
  return {
    stone,
    pods: [],
    claims: [],
    revisions: [],
    services: [],
    now,
    ...rest,
  };
}

const ofType = <T extends StoneAction['type']>(
  actions: StoneAction[],
  type: T,
) =>
  actions.filter(a => a.type === type) as Extract<StoneAction, { type: T }>[];

const writes = (actions: StoneAction[]) =>
  actions
    .filter(a => a.type !== 'event' && a.type !== 'updateStatus')
    .map(a => {
      switch (a.type) {
        case 'createPod':
          return `create ${a.pod.metadata!.name}@${
            a.pod.metadata!.labels!['controller-revision-hash']
          }`;
        case 'deletePod':
        case 'patchPod':
        case 'patchPodStatus':
        case 'deleteService':
        case 'deleteRevision':
        case 'renumberRevision':
          return `${a.type} ${a.name}`;
        case 'createRevision':
          return `createRevision ${a.revision.metadata!.name}`;
        case 'createClaim':
          return `createClaim ${a.claim.metadata!.name}`;
        default:
          return `${a.type} ${(a as any).service.metadata.name}`;
      }
    });

/** Runs the plan until it stops writing, applying its status each time (the pods stay as given). */
function settle(observation: StoneObservation): StoneObservation {
  let current = observation;
  for (let i = 0; i < 3; i++) {
    const { status } = planStone(current);
    current = { ...current, stone: { ...current.stone, status } };
  }
  return current;
}

/** A Stone whose first release is complete: 3 groups × 3 pods of revision 1. */
function released(spec: Partial<StoneSpec> = {}) {
  const stone = threeZoneStone({ strategy: 'Release', ...spec });
  const revision = revisionOf(stone, 1);
  const pods = [0, 1, 2].flatMap(g =>
    [0, 1, 2].map(i => podAt(stone, revision, g, i)),
  );
  const observation = settle(observe(stone, { pods, revisions: [revision] }));
  return { ...observation, revision };
}

/** `released()` with a new template: the same observation, the spec changed to `change` and `strategy`. */
function updating(
  change: (template: V1PodTemplateSpec) => void,
  strategy: StoneSpec['strategy'] = 'Alpha',
  spec: Partial<StoneSpec> = {},
) {
  const before = released(spec);
  const template: V1PodTemplateSpec = JSON.parse(
    JSON.stringify(before.stone.spec.template),
  );
  change(template);
  const stone: Stone = {
    ...before.stone,
    metadata: { ...before.stone.metadata, generation: 2 },
    spec: { ...before.stone.spec, template, strategy },
  };
  const update = revisionOf(stone, 2);
  return {
    observation: { ...before, stone, revisions: [before.revision, update] },
    current: before.revision,
    update,
  };
}

const newImage = (t: V1PodTemplateSpec) => {
  t.spec!.containers[0].image = 'nginx:1.26';
};

function withGate(
  pod: V1Pod,
  status: 'True' | 'False',
  since: Date = now,
): V1Pod {
  return {
    ...pod,
    status: {
      ...pod.status,
      conditions: [
        ...pod.status!.conditions!.filter(
          c =>
            c.type !== 'rollouts.cairn.dev/in-place-ready' &&
            c.type !== 'Ready',
        ),
        { type: 'Ready', status: status === 'True' ? 'True' : 'False' },
        {
          type: 'rollouts.cairn.dev/in-place-ready',
          status,
          lastTransitionTime: since,
        },
      ],
    },
  };
}

/** The pod as the API server holds it after an in-place patch (not yet restarted by the kubelet). */
function patchedPod(pod: V1Pod, patch: unknown): V1Pod {
  const { newDocument } = applyPatch(
    structuredClone(pod),
    patch as Operation[],
    true,
    false,
  );
  return withGate(newDocument, 'False');
}

/** The pod once the kubelet restarted the patched containers and they are ready, gate still False. */
function restartedPod(pod: V1Pod): V1Pod {
  const restarted = runningPod(pod, {
    uid: pod.metadata!.uid,
    resourceVersion: '9',
  });
  return withGate({ ...restarted, metadata: pod.metadata }, 'False');
}

const replacePod = (pods: V1Pod[], pod: V1Pod) =>
  pods.map(p => (p.metadata!.name === pod.metadata!.name ? pod : p));

const condition = (status: { conditions: any[] }, type: string) =>
  status.conditions.find(c => c.type === type);

describe('a first release', () => {
  it('creates the revision and only the Alpha pod', () => {
    const stone = threeZoneStone();
    const plan = planStone(observe(stone));
    const revision = revisionOf(stone, 1).metadata!.name;
    expect(writes(plan.actions)).toEqual([
      `createRevision ${revision}`,
      `create web-a-0@${revision}`,
    ]);
    expect(plan.status).toMatchObject({
      observedGeneration: 1,
      replicas: 0,
      desiredReplicas: 1,
      stage: 'Alpha',
      updateRevision: revision,
      currentRevision: undefined,
      stageComplete: false,
    });
    expect(ofType(plan.actions, 'event')).toEqual([
      {
        type: 'event',
        eventType: 'Normal',
        reason: 'StageStarted',
        message: `stage Alpha of revision ${revision} started: 1 pods in 1 groups`,
      },
    ]);
  });

  it('adds one pod per group for Beta and leaves the Alpha pod alone', () => {
    const stone = threeZoneStone({ strategy: 'Beta' });
    const revision = revisionOf(stone, 1);
    const plan = planStone(
      observe(stone, {
        revisions: [revision],
        pods: [podAt(stone, revision, 0, 0)],
      }),
    );
    const name = revision.metadata!.name;
    expect(writes(plan.actions)).toEqual([
      `create web-b-0@${name}`,
      `create web-c-0@${name}`,
    ]);
  });

  it('removes the pods beyond the stage when the strategy goes back', () => {
    const stone = threeZoneStone({ strategy: 'Alpha' });
    const revision = revisionOf(stone, 1);
    const plan = planStone(
      observe(stone, {
        revisions: [revision],
        pods: [0, 1, 2].map(g => podAt(stone, revision, g, 0)),
      }),
    );
    expect(writes(plan.actions)).toEqual([
      'deletePod web-b-0',
      'deletePod web-c-0',
    ]);
    expect(ofType(plan.actions, 'deletePod')[0].uid).toBe('uid-web-b-0');
  });

  it('creates each pod’s claims before the pod', () => {
    const stone = threeZoneStone({
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: { resources: { requests: { storage: '1Gi' } } },
        },
      ],
    });
    const revision = revisionOf(stone, 1);
    const plan = planStone(observe(stone, { revisions: [revision] }));
    expect(writes(plan.actions)).toEqual([
      'createClaim data-web-a-0',
      `create web-a-0@${revision.metadata!.name}`,
    ]);
    const again = planStone(
      observe(stone, {
        revisions: [revision],
        claims: [{ metadata: { name: 'data-web-a-0' } }],
      }),
    );
    expect(writes(again.actions)).toEqual([
      `create web-a-0@${revision.metadata!.name}`,
    ]);
  });

  it('completes with Release: the revision becomes current, and then nothing is written', () => {
    const { stone, revision, pods } = released();
    const name = revision.metadata!.name;
    expect(stone.status).toMatchObject({
      replicas: 9,
      readyReplicas: 9,
      updatedReplicas: 9,
      updatedReadyReplicas: 9,
      desiredReplicas: 9,
      currentRevision: name,
      updateRevision: name,
      stageComplete: true,
      groups: [
        { group: 'a', replicas: 3, readyReplicas: 3, updatedReplicas: 3 },
        { group: 'b', replicas: 3, readyReplicas: 3, updatedReplicas: 3 },
        { group: 'c', replicas: 3, readyReplicas: 3, updatedReplicas: 3 },
      ],
    });
    expect(condition(stone.status!, 'Available')).toMatchObject({
      status: 'True',
      reason: 'MinimumReplicasAvailable',
    });
    expect(condition(stone.status!, 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'StageComplete',
    });
    expect(condition(stone.status!, 'Degraded')).toMatchObject({
      status: 'False',
    });
    expect(condition(stone.status!, 'Paused')).toMatchObject({
      status: 'False',
    });
    expect(
      planStone(observe(stone, { pods, revisions: [revision] })).actions,
    ).toEqual([]);
  });

  it('announces the completed stage once', () => {
    const stone = threeZoneStone();
    const revision = revisionOf(stone, 1);
    const first = planStone(
      observe(stone, {
        revisions: [revision],
        pods: [podAt(stone, revision, 0, 0)],
      }),
    );
    expect(ofType(first.actions, 'event').map(e => e.reason)).toEqual([
      'StageStarted',
      'StageCompleted',
    ]);
    const second = planStone(
      observe(
        { ...stone, status: first.status },
        { revisions: [revision], pods: [podAt(stone, revision, 0, 0)] },
      ),
    );
    expect(second.actions).toEqual([]);
  });
});

describe('an update in place', () => {
  it('takes only the Alpha pod out of service first; the others keep the current revision', () => {
    const { observation } = updating(newImage);
    const plan = planStone(observation);
    expect(writes(plan.actions)).toEqual(['patchPodStatus web-a-0']);
    expect(ofType(plan.actions, 'patchPodStatus')[0].patch).toEqual({
      status: {
        conditions: [
          {
            type: 'rollouts.cairn.dev/in-place-ready',
            status: 'False',
            reason: 'StartInPlaceUpdate',
            lastTransitionTime: now.toISOString(),
          },
        ],
      },
    });
    expect(plan.status).toMatchObject({
      updatedReplicas: 0,
      desiredReplicas: 9,
    });
  });

  it('patches the image once the grace period has passed', () => {
    const { observation, update } = updating(newImage, 'Alpha', {
      updateStrategy: { gracePeriodSeconds: 5 },
    });
    const pods = replacePod(
      observation.pods,
      withGate(observation.pods[0], 'False', seconds(-2)),
    );
    const waiting = planStone({ ...observation, pods });
    expect(writes(waiting.actions)).toEqual([]);
    expect(waiting.requeueAfterSeconds).toBe(3);

    const done = planStone({ ...observation, pods, now: seconds(3) });
    expect(writes(done.actions)).toEqual(['patchPod web-a-0']);
    const patched = patchedPod(
      pods[0],
      ofType(done.actions, 'patchPod')[0].patch,
    );
    expect(patched.spec!.containers.map(c => c.image)).toEqual([
      'nginx:1.26',
      'busybox:1.36',
    ]);
    expect(patched.metadata!.labels!['controller-revision-hash']).toBe(
      update.metadata!.name,
    );
  });

  it('opens the gate when the changed container runs the new image and is ready', () => {
    const { observation } = updating(newImage);
    const gated = withGate(observation.pods[0], 'False');
    const patch = ofType(
      planStone({ ...observation, pods: replacePod(observation.pods, gated) })
        .actions,
      'patchPod',
    )[0].patch;
    const patched = patchedPod(gated, patch);
    const inFlight = planStone({
      ...observation,
      pods: replacePod(observation.pods, patched),
    });
    expect(writes(inFlight.actions)).toEqual([]);
    expect(inFlight.status).toMatchObject({
      updatedReplicas: 1,
      updatedReadyReplicas: 0,
      stageComplete: false,
    });

    const restarted = restartedPod(patched);
    const opening = planStone({
      ...observation,
      pods: replacePod(observation.pods, restarted),
    });
    expect(writes(opening.actions)).toEqual(['patchPodStatus web-a-0']);
    expect(
      (ofType(opening.actions, 'patchPodStatus')[0].patch as any).status
        .conditions[0],
    ).toMatchObject({ status: 'True', reason: 'InPlaceUpdated' });
  });

  it('moves one pod per group at a time for Beta with maxUnavailable 1, two with 2', () => {
    for (const [maxUnavailable, expected] of [
      [1, ['patchPodStatus web-a-0']],
      [2, ['patchPodStatus web-a-0', 'patchPodStatus web-b-0']],
    ] as const) {
      const { observation } = updating(newImage, 'Beta', {
        updateStrategy: { maxUnavailable },
      });
      expect(writes(planStone(observation).actions)).toEqual(expected);
    }
  });

  it('moves a pod that is already unavailable without waiting for the budget', () => {
    const { observation } = updating(newImage, 'Beta');
    const broken = observation.pods.map(p =>
      p.metadata!.name === 'web-b-0'
        ? {
            ...p,
            status: {
              ...p.status,
              conditions: [{ type: 'Ready', status: 'False' }],
            },
          }
        : p,
    );
    expect(writes(planStone({ ...observation, pods: broken }).actions)).toEqual(
      ['patchPodStatus web-b-0'],
    );
  });

  it('updates labels and annotations without taking the pod out of service', () => {
    const { observation } = updating(t => {
      t.metadata!.labels = { app: 'web', release: 'two' };
    });
    const plan = planStone(observation);
    expect(writes(plan.actions)).toEqual(['patchPod web-a-0']);
    const patched = patchedPod(
      observation.pods[0],
      ofType(plan.actions, 'patchPod')[0].patch,
    );
    expect(patched.spec).toEqual(observation.pods[0].spec);
    expect(patched.metadata!.labels!.release).toBe('two');
  });

  it('creates a missing pod of the current revision outside the stage', () => {
    const { observation, current } = updating(newImage);
    const pods = observation.pods.filter(p => p.metadata!.name !== 'web-c-2');
    const plan = planStone({ ...observation, pods });
    const created = ofType(plan.actions, 'createPod')[0].pod;
    expect(created.metadata!.name).toBe('web-c-2');
    expect(created.metadata!.labels!['controller-revision-hash']).toBe(
      current.metadata!.name,
    );
    expect(created.spec!.containers[0].image).toBe('nginx:1.25');
  });

  it('keeps the pods of a current revision whose ControllerRevision is gone, creating none', () => {
    const { observation, update } = updating(newImage, 'Alpha', {
      updateStrategy: { maxUnavailable: 2 },
    });
    const pods = observation.pods.filter(p => p.metadata!.name !== 'web-c-2');
    const plan = planStone({ ...observation, pods, revisions: [update] });
    // Without the old template the Alpha pod cannot be compared: recreated.
    expect(writes(plan.actions)).toEqual(['deletePod web-a-0']);
    expect(condition(plan.status, 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'RevisionMissing',
    });
    expect(plan.status.currentRevision).toBe(
      observation.stone.status!.currentRevision,
    );
  });

  it('renumbers the revision of a rollback and keeps both', () => {
    const before = released();
    const older: V1ControllerRevision = revisionOf(
      {
        ...before.stone,
        spec: {
          ...before.stone.spec,
          template: {
            ...before.stone.spec.template,
            metadata: { labels: { v: '0' } },
          },
        },
      },
      2,
    );
    const plan = planStone({ ...before, revisions: [before.revision, older] });
    expect(writes(plan.actions)).toEqual([
      `renumberRevision ${before.revision.metadata!.name}`,
    ]);
  });

  it('prunes revisions beyond the history limit that no pod runs', () => {
    const before = released({ revisionHistoryLimit: 0 });
    const unused = {
      metadata: { name: 'web-unused' },
      revision: 0,
      data: { spec: { template: { spec: { containers: [] } } } },
    };
    const plan = planStone({ ...before, revisions: [unused, before.revision] });
    expect(writes(plan.actions)).toEqual(['deleteRevision web-unused']);
  });
});

describe('recreation', () => {
  const env = (t: V1PodTemplateSpec) => {
    t.spec!.containers[0].env = [{ name: 'MODE', value: 'fast' }];
  };

  it('recreates a pod whose change cannot be made in place', () => {
    const { observation } = updating(env);
    const plan = planStone(observation);
    expect(ofType(plan.actions, 'deletePod')).toEqual([
      {
        type: 'deletePod',
        name: 'web-a-0',
        uid: 'uid-web-a-0',
        reason: expect.stringMatching(/^recreated for revision web-/),
      },
    ]);
  });

  it('recreates under ReCreate even when only the image changed', () => {
    const { observation } = updating(newImage, 'Alpha', {
      updateStrategy: { type: 'ReCreate' },
    });
    expect(writes(planStone(observation).actions)).toEqual([
      'deletePod web-a-0',
    ]);
  });

  it('refuses under InPlaceOnly, touching no pod', () => {
    const { observation } = updating(env, 'Alpha', {
      updateStrategy: { type: 'InPlaceOnly' },
    });
    const plan = planStone(observation);
    expect(writes(plan.actions)).toEqual([]);
    expect(condition(plan.status, 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'InPlaceUpdateNotPossible',
      message: expect.stringContaining('spec.containers[app].env differs'),
    });
    expect(ofType(plan.actions, 'event')).toContainEqual(
      expect.objectContaining({
        eventType: 'Warning',
        reason: 'InPlaceUpdateNotPossible',
      }),
    );
  });

  it('recreates a failed pod', () => {
    const before = released();
    const failed = {
      ...before.pods[4],
      status: { ...before.pods[4].status, phase: 'Failed' },
    };
    expect(
      writes(
        planStone({ ...before, pods: replacePod(before.pods, failed) }).actions,
      ),
    ).toEqual(['deletePod web-b-1']);
  });
});

describe('pausing', () => {
  function failingAlpha(state: object) {
    const { observation, update } = updating(newImage, 'Beta', {
      updateStrategy: { maxUnavailable: 3 },
    });
    const alpha = podAt(observation.stone, update, 0, 0);
    const failing: V1Pod = {
      ...alpha,
      metadata: { ...alpha.metadata, creationTimestamp: seconds(-30) },
      status: {
        ...alpha.status,
        conditions: [
          { type: 'Ready', status: 'False' },
          { type: 'rollouts.cairn.dev/in-place-ready', status: 'True' },
        ],
        containerStatuses: [
          { ...alpha.status!.containerStatuses![0], ready: false, state },
          alpha.status!.containerStatuses![1],
        ],
      },
    };
    return { ...observation, pods: replacePod(observation.pods, failing) };
  }

  it.each([
    ['CrashLoopBackOff', 'back-off 10s restarting failed container'],
    ['ImagePullBackOff', 'Back-off pulling image "nginx:9.99"'],
  ])(
    'pauses on %s of an updated pod and moves no other pod',
    (reason, message) => {
      const observation = failingAlpha({ waiting: { reason, message } });
      const plan = planStone(observation);
      expect(writes(plan.actions)).toEqual([]);
      const expected = `pod web-a-0: container app: ${reason}: ${message}`;
      expect(condition(plan.status, 'Paused')).toMatchObject({
        status: 'True',
        reason,
        message: expected,
      });
      expect(condition(plan.status, 'Degraded')).toMatchObject({
        status: 'True',
        reason,
        message: expected,
      });
      expect(condition(plan.status, 'Progressing')).toMatchObject({
        status: 'False',
        reason,
      });
      expect(ofType(plan.actions, 'event')).toContainEqual({
        type: 'event',
        eventType: 'Warning',
        reason: 'Paused',
        message: expected,
      });
    },
  );

  it('stays paused while the pod flaps between back-offs, until the spec changes', () => {
    const crashing = failingAlpha({ waiting: { reason: 'CrashLoopBackOff' } });
    const paused = planStone(crashing).status;
    const between = failingAlpha({ running: { startedAt: now } });
    const stone = { ...between.stone, status: paused };
    expect(writes(planStone({ ...between, stone }).actions)).toEqual([]);
    expect(
      condition(planStone({ ...between, stone }).status, 'Paused').status,
    ).toBe('True');

    const changed = {
      ...stone,
      metadata: { ...stone.metadata, generation: 3 },
    };
    expect(writes(planStone({ ...between, stone: changed }).actions)).toEqual([
      'patchPodStatus web-b-0',
      'patchPodStatus web-c-0',
    ]);
  });

  it('pauses when an updated pod is not ready by the progress deadline', () => {
    const { observation } = updating(newImage, 'Beta', {
      progressDeadlineSeconds: 60,
    });
    const gated = withGate(observation.pods[0], 'False');
    const patch = ofType(
      planStone({ ...observation, pods: replacePod(observation.pods, gated) })
        .actions,
      'patchPod',
    )[0].patch;
    const pods = replacePod(observation.pods, patchedPod(gated, patch));
    const early = planStone({ ...observation, pods, now: seconds(20) });
    expect(early.requeueAfterSeconds).toBe(40);
    expect(condition(early.status, 'Paused').status).toBe('False');

    const late = planStone({ ...observation, pods, now: seconds(61) });
    expect(writes(late.actions)).toEqual([]);
    expect(condition(late.status, 'Paused')).toMatchObject({
      status: 'True',
      reason: 'ProgressDeadlineExceeded',
      message: 'pod web-a-0 is not ready 60s after it was updated',
    });
  });

  it('moves no pod under spec.paused, and puts back a pod waiting out its grace period', () => {
    const { observation } = updating(newImage, 'Beta', {
      paused: true,
      updateStrategy: { gracePeriodSeconds: 30 },
    });
    const pods = replacePod(
      observation.pods.filter(p => p.metadata!.name !== 'web-c-2'),
      withGate(observation.pods[0], 'False'),
    );
    const plan = planStone({ ...observation, pods });
    expect(writes(plan.actions)).toEqual([
      'patchPodStatus web-a-0',
      expect.stringMatching(/^create web-c-2@/),
    ]);
    expect(
      (ofType(plan.actions, 'patchPodStatus')[0].patch as any).status
        .conditions[0],
    ).toMatchObject({ status: 'True', reason: 'InPlaceUpdateCancelled' });
    expect(condition(plan.status, 'Paused')).toMatchObject({
      status: 'True',
      reason: 'SpecPaused',
    });
    expect(condition(plan.status, 'Progressing')).toMatchObject({
      status: 'Unknown',
    });
  });
});

describe('services', () => {
  const service = { ports: [{ port: 80, targetPort: 8080 as any }] };

  it('creates <stone> and one Service per group', () => {
    const before = released({ service });
    const plan = planStone({ ...before, services: [] });
    expect(writes(plan.actions)).toEqual([
      'createService web',
      'createService web-a',
      'createService web-b',
      'createService web-c',
    ]);
  });

  it('leaves Services alone whose differences are the API server defaults, and fixes the rest', () => {
    const before = released({ service });
    const defaulted = (
      name: string,
      selector: Record<string, string>,
    ): V1Service => ({
      metadata: { name, labels: selector },
      spec: {
        clusterIP: '10.96.0.10',
        type: 'ClusterIP',
        sessionAffinity: 'None',
        ports: [{ port: 80, targetPort: 8080 as any, protocol: 'TCP' }],
        selector,
      },
    });
    const sel = (group?: string): Record<string, string> => ({
      'rollouts.cairn.dev/stone': 'web',
      ...(group ? { 'rollouts.cairn.dev/group': group } : {}),
    });
    const services = [
      defaulted('web', sel()),
      defaulted('web-a', sel('a')),
      defaulted('web-b', sel()),
      defaulted('web-c', sel('c')),
      defaulted('web-d', sel('d')),
    ];
    const plan = planStone({ ...before, services });
    expect(writes(plan.actions)).toEqual([
      'updateService web-b',
      'deleteService web-d',
    ]);
    const updated = ofType(plan.actions, 'updateService')[0].service;
    expect(updated.spec).toMatchObject({
      clusterIP: '10.96.0.10',
      selector: sel('b'),
    });
  });
});

it('reports an invalid spec and writes nothing else', () => {
  const stone = threeZoneStone({ updateStrategy: { maxUnavailable: 'half' } });
  const plan = planStone(observe(stone));
  expect(writes(plan.actions)).toEqual([]);
  expect(condition(plan.status, 'Degraded')).toMatchObject({
    status: 'True',
    reason: 'InvalidSpec',
    message: expect.stringContaining('spec.updateStrategy.maxUnavailable'),
  });
  expect(ofType(plan.actions, 'event')[0]).toMatchObject({
    eventType: 'Warning',
    reason: 'InvalidSpec',
  });
});

it('keeps a condition’s transition time while its status holds', () => {
  const { stone, pods, revisions } = released();
  const later = planStone(
    observe(stone, { pods, revisions, now: seconds(3600) }),
  );
  expect(later.status.conditions).toEqual(stone.status!.conditions);
});

describe('pre-pulling', () => {
  const prePulling = (strategy: StoneSpec['strategy'] = 'Alpha') =>
    updating(newImage, strategy, {
      updateStrategy: { prePull: true, maxUnavailable: 3 },
    });
  const onNode = (pod: V1Pod, node: string): V1Pod => ({
    ...pod,
    spec: { ...pod.spec!, nodeName: node },
  });

  it('pulls the new images on the node before touching its pod', () => {
    const { observation, update } = prePulling();
    const pods = replacePod(
      observation.pods,
      onNode(observation.pods[0], 'node-a1-1'),
    );
    const plan = planStone({ ...observation, pods });
    expect(writes(plan.actions)).toEqual([
      `create ${prePullPodName(update.metadata!.name!, 'node-a1-1')}@undefined`,
    ]);
    const pull = ofType(plan.actions, 'createPod')[0].pod;
    expect(pull.spec!.containers.map(c => c.image)).toEqual(['nginx:1.26']);
    expect(pull.spec!.nodeName).toBe('node-a1-1');
  });

  const pullPod = (
    revision: V1ControllerRevision,
    node: string,
    state: object,
  ): V1Pod => ({
    metadata: {
      name: prePullPodName(revision.metadata!.name!, node),
      uid: `pull-${node}`,
      labels: { 'rollouts.cairn.dev/pre-pull': revision.metadata!.name! },
    },
    spec: {
      nodeName: node,
      containers: [{ name: 'pull-0', image: 'nginx:1.26' }],
    },
    status: {
      containerStatuses: [
        {
          name: 'pull-0',
          image: '',
          imageID: '',
          ready: false,
          restartCount: 0,
          state,
        },
      ],
    },
  });

  it('starts the pod once the images are pulled, then removes the pre-pull pod', () => {
    const { observation, update } = prePulling();
    const pods = replacePod(
      observation.pods,
      onNode(observation.pods[0], 'node-a1-1'),
    );
    const pulling = planStone({
      ...observation,
      pods,
      prePullPods: [
        pullPod(update, 'node-a1-1', { waiting: { reason: 'ErrImagePull' } }),
      ],
    });
    expect(writes(pulling.actions)).toEqual([]);
    const pulled = planStone({
      ...observation,
      pods,
      prePullPods: [
        pullPod(update, 'node-a1-1', { terminated: { exitCode: 0 } }),
      ],
    });
    expect(writes(pulled.actions)).toEqual(['patchPodStatus web-a-0']);
    const started = planStone({
      ...observation,
      pods: replacePod(pods, withGate(pods[0], 'False')),
      prePullPods: [
        pullPod(update, 'node-a1-1', { terminated: { exitCode: 0 } }),
      ],
    });
    expect(writes(started.actions)).toEqual([
      'patchPod web-a-0',
      `deletePod ${prePullPodName(update.metadata!.name!, 'node-a1-1')}`,
    ]);
  });

  it('pauses on a pull failure with no serving pod touched, keeping the pre-pull pod', () => {
    const { observation, update } = prePulling('Beta');
    const pods = observation.pods.map(p =>
      onNode(p, `node-${p.metadata!.name}`),
    );
    const failed = pullPod(update, 'node-web-a-0', {
      waiting: { reason: 'ImagePullBackOff', message: 'not found' },
    });
    const plan = planStone({ ...observation, pods, prePullPods: [failed] });
    expect(writes(plan.actions)).toEqual([]);
    expect(condition(plan.status, 'Paused')).toMatchObject({
      status: 'True',
      reason: 'ImagePullBackOff',
      message: `pre-pull pod ${
        failed.metadata!.name
      } on node node-web-a-0: container pull-0: ImagePullBackOff: not found`,
    });
  });
});
