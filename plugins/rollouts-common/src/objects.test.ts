import { LABEL_ZONE } from '@cairn/operators-api';
import { summarizeStone, toStonePod, toStoneRevision } from './objects';
import { nodeLabelsOf, updateScenario } from './testUtils';

describe('toStonePod', () => {
  it('reads group, index, revision and place from the pod and its node', () => {
    const scenario = updateScenario('Beta');
    const pod = scenario.pods.find(p => p.metadata!.name === 'web-b-0')!;
    pod.status!.containerStatuses = [
      { name: 'app', restartCount: 2 } as any,
      { name: 'sidecar', restartCount: 1 } as any,
    ];
    expect(
      toStonePod(pod, {
        stone: scenario.stone,
        nodeLabels: nodeLabelsOf('node-b1'),
      }),
    ).toEqual({
      name: 'web-b-0',
      namespace: 'shop',
      group: 'b',
      index: 0,
      zone: 'zone-b',
      rack: 'rack-b1',
      host: 'node-b1',
      revision: scenario.update.metadata!.name,
      ready: true,
      phase: 'Running',
      restarts: 3,
      createdAt: '2026-01-01T00:00:00.000Z',
      deletionTimestamp: undefined,
    });
  });

  it('takes the rack from the configured label, and the zone of an unscheduled pod from its coordinate', () => {
    const scenario = updateScenario('Alpha');
    const pod = scenario.pods.find(p => p.metadata!.name === 'web-c-2')!;
    const onNode = toStonePod(pod, {
      stone: scenario.stone,
      nodeLabels: { [LABEL_ZONE]: 'zone-c', 'example.com/rack': 'r9' },
      rackLabel: 'example.com/rack',
    });
    expect(onNode).toMatchObject({ zone: 'zone-c', rack: 'r9' });
    const pending = toStonePod(
      { ...pod, spec: { ...pod.spec!, nodeName: undefined }, status: {} },
      { stone: scenario.stone },
    );
    expect(pending).toMatchObject({
      zone: 'zone-c',
      rack: undefined,
      host: undefined,
      ready: false,
      phase: 'Pending',
      restarts: 0,
    });
  });
});

describe('toStoneRevision', () => {
  it('names the hash and keeps the template', () => {
    const { update, stone } = updateScenario('Alpha');
    const revision = toStoneRevision(update, 'web');
    expect(revision).toMatchObject({
      name: update.metadata!.name,
      revision: 2,
      hash: update.metadata!.name!.slice('web-'.length),
      template: stone.spec.template,
    });
  });
});

describe('summarizeStone', () => {
  it('summarises the Stone for the lists', () => {
    const { stone, current, update } = updateScenario('Beta');
    stone.spec.paused = true;
    expect(
      summarizeStone(stone, {
        cluster: 'dev',
        entityRef: 'component:default/web',
      }),
    ).toEqual({
      cluster: 'dev',
      namespace: 'shop',
      name: 'web',
      entityRef: 'component:default/web',
      resourceVersion: '42',
      generation: stone.metadata.generation,
      strategy: 'Beta',
      paused: true,
      pausedReason: undefined,
      currentRevision: current!.metadata!.name,
      updateRevision: update.metadata!.name,
      replicas: 12,
      desiredReplicas: 12,
      readyReplicas: 12,
      updatedReplicas: 3,
      degraded: false,
      degradedReason: undefined,
      degradedMessage: undefined,
      stageComplete: true,
      stageStartedAt: undefined,
    });
  });
});
