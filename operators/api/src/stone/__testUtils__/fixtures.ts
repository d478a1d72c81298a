import type { V1Pod } from '@kubernetes/client-node';
import { Stone, StoneSpec } from '../types';

/** Three groups over three zones, as the dev cluster's default topology lays them out. */
export function threeZoneStone(spec: Partial<StoneSpec> = {}): Stone {
  return {
    apiVersion: 'rollouts.cairn.dev/v1alpha1',
    kind: 'Stone',
    metadata: {
      name: 'web',
      namespace: 'shop',
      uid: 'stone-uid',
      generation: 1,
    },
    spec: {
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            { name: 'app', image: 'nginx:1.25' },
            {
              name: 'sidecar',
              image: 'busybox:1.36',
              command: ['sleep', '1d'],
            },
          ],
        },
      },
      coordinates: ['a', 'b', 'c'].map(zone => ({
        group: zone,
        replicas: 3,
        zoneset: [1, 2, 3].map(host => ({
          zone: `local-1${zone}`,
          rack: `local-1${zone}-r${host === 3 ? 2 : 1}`,
          host: `node-${zone}1-${host}`,
        })),
      })),
      strategy: 'Alpha',
      ...spec,
    },
  };
}

/** The pod as the kubelet reports it once running and ready with the given images' IDs. */
export function runningPod(
  pod: V1Pod,
  options: { uid?: string; resourceVersion?: string; created?: string } = {},
): V1Pod {
  const containers = pod.spec!.containers;
  return {
    ...pod,
    metadata: {
      ...pod.metadata,
      uid: options.uid ?? `uid-${pod.metadata!.name}`,
      resourceVersion: options.resourceVersion ?? '1',
      creationTimestamp: new Date(options.created ?? '2026-01-01T00:00:00Z'),
    },
    status: {
      phase: 'Running',
      conditions: [
        { type: 'Ready', status: 'True' },
        {
          type: 'rollouts.cairn.dev/in-place-ready',
          status: 'True',
          lastTransitionTime: new Date('2026-01-01T00:00:00Z'),
        },
      ],
      containerStatuses: containers.map(c => ({
        name: c.name,
        image: `docker.io/library/${c.image}`,
        imageID: `docker.io/library/${c.image!.split(':')[0]}@sha256:${
          c.image
        }`,
        containerID: `cairn://${pod.metadata!.name}-${c.name}-${c.image}`,
        ready: true,
        restartCount: 0,
        started: true,
        state: { running: { startedAt: new Date('2026-01-01T00:00:00Z') } },
      })),
    },
  };
}
