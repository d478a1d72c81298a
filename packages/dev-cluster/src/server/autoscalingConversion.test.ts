import type { KubeObject } from '../store/types';
import { horizontalPodAutoscalerConverter } from './autoscalingConversion';

const { convert } = horizontalPodAutoscalerConverter;

const v2: KubeObject = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'default', annotations: { team: 'a' } },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    minReplicas: 2,
    maxReplicas: 5,
    metrics: [
      {
        type: 'Resource',
        resource: {
          name: 'cpu',
          target: { type: 'Utilization', averageUtilization: 70 },
        },
      },
      {
        type: 'Pods',
        pods: {
          metric: { name: 'requests' },
          target: { type: 'AverageValue', averageValue: '10' },
        },
      },
    ],
    behavior: { scaleDown: { stabilizationWindowSeconds: 60 } },
  },
  status: {
    observedGeneration: 3,
    currentReplicas: 2,
    desiredReplicas: 3,
    currentMetrics: [
      {
        type: 'Resource',
        resource: {
          name: 'cpu',
          current: { averageUtilization: 91, averageValue: '182m' },
        },
      },
    ],
    conditions: [
      {
        type: 'AbleToScale',
        status: 'True',
        reason: 'SucceededRescale',
        message: 'the HPA controller was able to update the target scale to 3',
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
    ],
  },
};

describe('HorizontalPodAutoscaler conversion', () => {
  it('serves v1 with the CPU target and current value, the rest in round-trip annotations', () => {
    const v1 = convert(v2, 'autoscaling/v1');
    expect(v1.spec).toEqual({
      scaleTargetRef: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'web',
      },
      minReplicas: 2,
      maxReplicas: 5,
      targetCPUUtilizationPercentage: 70,
    });
    expect(v1.status).toEqual({
      observedGeneration: 3,
      currentReplicas: 2,
      desiredReplicas: 3,
      currentCPUUtilizationPercentage: 91,
    });
    const annotations = v1.metadata.annotations!;
    expect(annotations.team).toBe('a');
    expect(
      JSON.parse(annotations['autoscaling.alpha.kubernetes.io/metrics']),
    ).toEqual([
      {
        type: 'Pods',
        pods: { metricName: 'requests', targetAverageValue: '10' },
      },
    ]);
    expect(
      JSON.parse(
        annotations['autoscaling.alpha.kubernetes.io/current-metrics'],
      ),
    ).toEqual([
      {
        type: 'Resource',
        resource: {
          name: 'cpu',
          currentAverageUtilization: 91,
          currentAverageValue: '182m',
        },
      },
    ]);
    expect(v2).toHaveProperty('apiVersion', 'autoscaling/v2');
  });

  it('turns a v1 object served from v2 back into the same v2 object', () => {
    const back = convert(convert(v2, 'autoscaling/v1'), 'autoscaling/v2');
    expect(back).toEqual(v2);
  });

  it("makes v1's implicit defaults explicit: one replica at least, 80% CPU", () => {
    const v1: KubeObject = {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        scaleTargetRef: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: 'web',
        },
        maxReplicas: 3,
      },
    };
    expect(convert(v1, 'autoscaling/v2').spec).toEqual({
      scaleTargetRef: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'web',
      },
      minReplicas: 1,
      maxReplicas: 3,
      metrics: [
        {
          type: 'Resource',
          resource: {
            name: 'cpu',
            target: { type: 'Utilization', averageUtilization: 80 },
          },
        },
      ],
    });
  });
});
