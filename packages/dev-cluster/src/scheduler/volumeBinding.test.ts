import type { V1Pod } from '@kubernetes/client-node';
import { defaultNodes } from '../topology';
import { scheduleOnSnapshot, ScheduleResult } from './schedule';
import { SchedulingSnapshot } from './snapshot';
import type { ClaimState } from './volumeBinding';

const nodes = defaultNodes({ now: new Date('2026-01-01T00:00:00Z') });
const HOST = 'kubernetes.io/hostname';

function podWithClaims(...claims: string[]): V1Pod {
  return {
    metadata: { name: 'app', namespace: 'team', uid: 'uid-app' },
    spec: {
      volumes: claims.map(claimName => ({
        name: claimName,
        persistentVolumeClaim: { claimName },
      })),
      containers: [{ name: 'app', image: 'busybox' }],
    },
  };
}

function schedule(pod: V1Pod, claims: Record<string, ClaimState>) {
  const snapshot = SchedulingSnapshot.build(nodes, []);
  snapshot.claims = (namespace, name) =>
    namespace === 'team' ? claims[name] ?? {} : {};
  return scheduleOnSnapshot(pod, snapshot);
}

const messageOf = (result: ScheduleResult) =>
  result.outcome === 'Unschedulable' ? result.message : result.outcome;

const waitForFirstConsumer = {
  metadata: { name: 'standard' },
  provisioner: 'cairn.dev/local-path',
  volumeBindingMode: 'WaitForFirstConsumer',
};

describe('VolumeBinding', () => {
  it('refuses a pod whose claim is missing or being deleted, on every node', () => {
    expect(messageOf(schedule(podWithClaims('data'), {}))).toBe(
      '0/18 nodes are available: persistentvolumeclaim "data" not found. preemption: 0/18 nodes are available: 18 Preemption is not helpful for scheduling.',
    );
    expect(
      messageOf(
        schedule(podWithClaims('data'), {
          data: {
            claim: {
              metadata: { name: 'data', deletionTimestamp: new Date() },
            },
          },
        }),
      ),
    ).toContain('persistentvolumeclaim "data" is being deleted');
  });

  it('waits for an unbound claim of an Immediate class, and not for one that waits for its first consumer', () => {
    expect(
      messageOf(
        schedule(podWithClaims('data'), {
          data: {
            claim: { metadata: { name: 'data' }, spec: {} },
            storageClass: {
              ...waitForFirstConsumer,
              volumeBindingMode: 'Immediate',
            },
          },
        }),
      ),
    ).toContain('pod has unbound immediate PersistentVolumeClaims');
    const result = schedule(podWithClaims('data'), {
      data: {
        claim: {
          metadata: { name: 'data' },
          spec: { storageClassName: 'standard' },
        },
        storageClass: waitForFirstConsumer,
      },
    });
    expect(result.outcome).toBe('Scheduled');
  });

  it('places a pod on the node its bound volume is pinned to', () => {
    const target = nodes[7].metadata!.name!;
    const result = schedule(podWithClaims('data'), {
      data: {
        claim: { metadata: { name: 'data' }, spec: { volumeName: 'pv-1' } },
        volume: {
          metadata: { name: 'pv-1' },
          spec: {
            nodeAffinity: {
              required: {
                nodeSelectorTerms: [
                  {
                    matchExpressions: [
                      { key: HOST, operator: 'In', values: [target] },
                    ],
                  },
                ],
              },
            },
          },
        },
      },
    });
    expect(result).toEqual({ outcome: 'Scheduled', nodeName: target });
    expect(
      messageOf(
        schedule(podWithClaims('data'), {
          data: {
            claim: {
              metadata: { name: 'data' },
              spec: { volumeName: 'gone' },
            },
          },
        }),
      ),
    ).toContain(
      'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)',
    );
  });
});
