import type { ObjectStore } from '../store/objectStore';
import type { KubeObject, StoreEvent } from '../store/types';
import { eventName } from '../machinery/eventName';
import { labelSelectorMatcher } from '../machinery/labels';
import { Quantity } from '../machinery/quantity';
import { ControllerQueue, ReconcileResult } from './controllerQueue';
import { memoryQuantity, MetricsProvider } from './metrics';
import { deepClone, jsonEqual, timestamp } from './objects';
import type { ResourceRegistry, ResourceType } from './registry';
import type { RequestContext, ResourceService } from './resources';

/*
 * The HorizontalPodAutoscaler controller (autoscaling/v2, Resource metrics
 * on cpu and memory) of kube-controller-manager: every 15 s it reads the
 * target's pods' usage from the metrics API's source, computes
 * ceil(replicas × current / target) per metric (within a 10 % tolerance
 * nothing changes), takes the largest, keeps it within minReplicas and
 * maxReplicas, scales up at most to max(2 × replicas, replicas + 4) at once
 * and scales down only to the highest recommendation of the stabilization
 * window (300 s unless behavior.scaleDown says otherwise); it writes the
 * target's spec.replicas and the status and conditions `kubectl get/describe
 * hpa` show.
 */

const CONTROLLER: RequestContext = {
  user: {
    username: 'system:serviceaccount:kube-system:horizontal-pod-autoscaler',
    groups: ['system:masters'],
  },
  dryRun: false,
};

const SYNC_PERIOD_MS = 15_000;
const TOLERANCE = 0.1;

const TARGETS: Record<string, string> = {
  Deployment: 'apps/deployments',
  ReplicaSet: 'apps/replicasets',
  StatefulSet: 'apps/statefulsets',
};

/** The replica count one metric asks for (the 10 % tolerance keeps the current count). */
export function replicasForRatio(current: number, usageRatio: number): number {
  if (Math.abs(usageRatio - 1) <= TOLERANCE) return current;
  return Math.ceil(usageRatio * current);
}

/** What one metric reads: the ratio to its target and the status entry to report. */
interface MetricReading {
  ratio: number;
  status: any;
  description: string;
}

function condition(
  type: string,
  status: string,
  reason: string,
  message: string,
  previous?: any,
) {
  return {
    type,
    status,
    lastTransitionTime:
      previous?.status === status ? previous.lastTransitionTime : timestamp(),
    reason,
    message,
  };
}

export class HorizontalPodAutoscalerController {
  private readonly queue = new ControllerQueue(key => this.sync(key));
  private stopWatches: Array<() => void> = [];
  /** Each autoscaler's recent recommendations, for the scale-down stabilization window. */
  private readonly recommendations = new Map<
    string,
    Array<{ at: number; replicas: number }>
  >();

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
    private readonly resources: ResourceService,
    private readonly metrics: MetricsProvider | undefined,
  ) {}

  private type(group: string, version: string, plural: string): ResourceType {
    return this.registry.find(group, version, plural)!;
  }

  start(): void {
    // Its own status writes do not count: it looks again every 15 s.
    const handle = this.store.watch(
      'autoscaling/horizontalpodautoscalers',
      {},
      (e: StoreEvent) => {
        if (
          !e.previous ||
          e.previous.metadata.generation !== e.object.metadata.generation
        )
          this.queue.add(e.key);
      },
    );
    handle.initial.forEach(e => this.queue.add(e.key));
    this.stopWatches.push(handle.stop);
    this.queue.start();
  }

  stop(): void {
    for (const stop of this.stopWatches) stop();
    this.queue.stop();
  }

  private event(
    hpa: KubeObject,
    type: string,
    reason: string,
    message: string,
  ) {
    const now = timestamp();
    this.resources.create(
      this.type('', 'v1', 'events'),
      hpa.metadata.namespace!,
      {
        metadata: { name: eventName(hpa.metadata.name!) },
        involvedObject: {
          kind: 'HorizontalPodAutoscaler',
          namespace: hpa.metadata.namespace,
          name: hpa.metadata.name,
          uid: hpa.metadata.uid,
          apiVersion: 'autoscaling/v2',
          resourceVersion: hpa.metadata.resourceVersion,
        },
        reason,
        message,
        source: { component: 'horizontal-pod-autoscaler' },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        type,
        reportingComponent: 'horizontal-pod-autoscaler',
      },
      CONTROLLER,
    );
  }

  /** Reads one Resource metric over the pods; throws an Error whose message is the condition's. */
  private readMetric(
    metric: any,
    pods: any[],
    namespace: string,
  ): MetricReading {
    if (metric.type !== 'Resource')
      throw new Error(
        `metric type ${metric.type} is not supported by the dev cluster`,
      );
    const name: string = metric.resource?.name;
    if (name !== 'cpu' && name !== 'memory')
      throw new Error(
        `unable to get metrics for resource ${name}: no metrics returned from resource metrics API`,
      );
    const usage = new Map(
      (this.metrics?.podUsage(namespace) ?? []).map(u => [
        u.pod.metadata.uid,
        u,
      ]),
    );
    const measured = pods.filter(p => usage.has(p.metadata.uid));
    if (!measured.length)
      throw new Error(
        `unable to get metrics for resource ${name}: no metrics returned from resource metrics API`,
      );
    let used = 0;
    let requested = 0;
    for (const pod of measured) {
      for (const c of usage.get(pod.metadata.uid)!.containers) used += c[name];
      for (const container of pod.spec?.containers ?? []) {
        const request = container.resources?.requests?.[name];
        if (request === undefined) {
          if (metric.resource.target?.type === 'Utilization')
            throw new Error(
              `failed to get ${name} utilization: missing request for ${name} in container ${container.name} of Pod ${pod.metadata.name}`,
            );
          continue;
        }
        requested += Quantity.parse(String(request)).toNumber();
      }
    }
    const target = metric.resource.target ?? {};
    const average = used / measured.length;
    const quantity =
      name === 'cpu'
        ? (cores: number) => `${Math.round(cores * 1000)}m`
        : memoryQuantity;
    const description = `${name} resource utilization (percentage of request)`;
    if (target.type === 'Utilization') {
      const utilization = Math.round((used / requested) * 100);
      return {
        ratio: utilization / target.averageUtilization,
        description,
        status: {
          type: 'Resource',
          resource: {
            name,
            current: {
              averageUtilization: utilization,
              averageValue: quantity(average),
            },
          },
        },
      };
    }
    const targetValue = Quantity.parse(String(target.averageValue)).toNumber();
    return {
      ratio: average / targetValue,
      description: `${name} resource`,
      status: {
        type: 'Resource',
        resource: { name, current: { averageValue: quantity(average) } },
      },
    };
  }

  private sync(key: string): ReconcileResult {
    const hpa = this.store.get(
      'autoscaling/horizontalpodautoscalers',
      key,
    ) as any;
    if (!hpa || hpa.metadata.deletionTimestamp) {
      this.recommendations.delete(key);
      return undefined;
    }
    const spec = hpa.spec ?? {};
    const namespace = hpa.metadata.namespace;
    const previous = (type: string) =>
      (hpa.status?.conditions ?? []).find((c: any) => c.type === type);
    const ref = spec.scaleTargetRef ?? {};
    const resource = TARGETS[ref.kind];
    const target = resource
      ? (this.store.get(resource, `${namespace}/${ref.name}`) as any)
      : undefined;
    const status: any = {
      ...deepClone(hpa.status ?? {}),
      observedGeneration: hpa.metadata.generation,
    };
    const finish = (conditions: any[]) => {
      status.conditions = conditions;
      const latest = this.store.get(
        'autoscaling/horizontalpodautoscalers',
        key,
      )!;
      if (!jsonEqual((latest as any).status, status)) {
        this.resources.write(
          this.type('autoscaling', 'v2', 'horizontalpodautoscalers'),
          namespace,
          hpa.metadata.name,
          'status',
          latest,
          { ...latest, status },
          CONTROLLER,
        );
      }
      return { requeueAfterMs: SYNC_PERIOD_MS };
    };
    if (!target) {
      return finish([
        condition(
          'AbleToScale',
          'False',
          'FailedGetScale',
          `the HPA controller was unable to get the target's current scale: ${
            resource
              ? `${resource.split('/')[1]}.apps "${ref.name}" not found`
              : `no matches for kind "${ref.kind}"`
          }`,
          previous('AbleToScale'),
        ),
      ]);
    }
    const current: number = target.spec?.replicas ?? 1;
    status.currentReplicas = target.status?.replicas ?? current;
    const matches = labelSelectorMatcher(target.spec?.selector ?? {});
    const pods = this.store
      .list('/pods', { namespace })
      .items.filter(
        p =>
          matches(p.metadata.labels) &&
          !p.metadata.deletionTimestamp &&
          (p as any).status?.phase === 'Running',
      );
    if (current === 0) {
      status.desiredReplicas = 0;
      return finish([
        condition(
          'AbleToScale',
          'True',
          'SucceededGetScale',
          "the HPA controller was able to get the target's current scale",
          previous('AbleToScale'),
        ),
        condition(
          'ScalingActive',
          'False',
          'ScalingDisabled',
          'scaling is disabled since the replica count of the target is zero',
          previous('ScalingActive'),
        ),
      ]);
    }
    const metrics: any[] = spec.metrics?.length
      ? spec.metrics
      : [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: { type: 'Utilization', averageUtilization: 80 },
            },
          },
        ];
    let proposal = 0;
    let reason = '';
    const currentMetrics: any[] = [];
    try {
      for (const metric of metrics) {
        const reading = this.readMetric(metric, pods, namespace);
        currentMetrics.push(reading.status);
        const replicas = replicasForRatio(current, reading.ratio);
        if (replicas > proposal) {
          proposal = replicas;
          reason = `${reading.description} ${
            reading.ratio > 1 ? 'above' : 'below'
          } target`;
        }
      }
    } catch (error) {
      status.currentMetrics = currentMetrics.length
        ? currentMetrics
        : undefined;
      if (!status.currentMetrics) delete status.currentMetrics;
      status.desiredReplicas = current;
      const message = (error as Error).message;
      this.event(hpa, 'Warning', 'FailedGetResourceMetric', message);
      return finish([
        condition(
          'AbleToScale',
          'True',
          'SucceededGetScale',
          "the HPA controller was able to get the target's current scale",
          previous('AbleToScale'),
        ),
        condition(
          'ScalingActive',
          'False',
          'FailedGetResourceMetric',
          `the HPA was unable to compute the replica count: ${message}`,
          previous('ScalingActive'),
        ),
      ]);
    }
    status.currentMetrics = currentMetrics;

    const min = spec.minReplicas ?? 1;
    const max = spec.maxReplicas;
    let desired = Math.min(Math.max(proposal, min), max);
    const limited = desired !== proposal;
    // Scale-down stabilization: the highest recommendation of the window.
    const now = Date.now();
    const windowMs =
      (spec.behavior?.scaleDown?.stabilizationWindowSeconds ?? 300) * 1000;
    const history = (this.recommendations.get(key) ?? []).filter(
      r => now - r.at < windowMs,
    );
    history.push({ at: now, replicas: desired });
    this.recommendations.set(key, history);
    if (desired < current)
      desired = Math.min(current, Math.max(...history.map(r => r.replicas)));
    // Scale-up rate: at most double, or four more pods, per period.
    if (desired > current)
      desired = Math.min(desired, Math.max(2 * current, current + 4));
    status.desiredReplicas = desired;

    let ableToScale = condition(
      'AbleToScale',
      'True',
      'ReadyForNewScale',
      'recommended size matches current size',
      previous('AbleToScale'),
    );
    if (desired !== current) {
      const targetType = this.type('apps', 'v1', resource.split('/')[1]);
      this.resources.write(
        targetType,
        namespace,
        ref.name,
        '',
        target,
        { ...target, spec: { ...target.spec, replicas: desired } },
        CONTROLLER,
      );
      status.lastScaleTime = timestamp();
      this.event(
        hpa,
        'Normal',
        'SuccessfulRescale',
        `New size: ${desired}; reason: ${
          desired > current ? reason : 'All metrics below target'
        }`,
      );
      ableToScale = condition(
        'AbleToScale',
        'True',
        'SucceededRescale',
        `the HPA controller was able to update the target scale to ${desired}`,
        previous('AbleToScale'),
      );
    } else if (proposal < current) {
      ableToScale = condition(
        'AbleToScale',
        'True',
        'ScaleDownStabilized',
        'recent recommendations were higher than current one, applying the highest recent recommendation',
        previous('AbleToScale'),
      );
    }
    const described = metrics
      .map(
        m => `${m.resource?.name} resource utilization (percentage of request)`,
      )
      .join(', ');
    return finish([
      ableToScale,
      condition(
        'ScalingActive',
        'True',
        'ValidMetricFound',
        `the HPA was able to successfully calculate a replica count from ${described}`,
        previous('ScalingActive'),
      ),
      limited
        ? condition(
            'ScalingLimited',
            'True',
            proposal > max ? 'TooManyReplicas' : 'TooFewReplicas',
            `the desired replica count is ${
              proposal > max ? 'more' : 'less'
            } than the ${proposal > max ? 'maximum' : 'minimum'} replica count`,
            previous('ScalingLimited'),
          )
        : condition(
            'ScalingLimited',
            'False',
            'DesiredWithinRange',
            'the desired count is within the acceptable range',
            previous('ScalingLimited'),
          ),
    ]);
  }
}
