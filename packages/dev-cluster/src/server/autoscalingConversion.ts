import type { KubeObject } from '../store/types';
import type { CustomResourceConverter } from './conversion';
import { deepClone } from './objects';

/*
 * HorizontalPodAutoscaler between autoscaling/v1 (what `kubectl autoscale`
 * sends) and the stored autoscaling/v2, as kube-apiserver's conversion does:
 * v1 holds the CPU utilization target and current value; the other metrics,
 * the current metrics, the conditions and the behavior travel in the
 * round-trip annotations, in v1's metric shapes (those of v2beta1), so a v1
 * client that writes the object back keeps them.
 */

const METRICS = 'autoscaling.alpha.kubernetes.io/metrics';
const CURRENT_METRICS = 'autoscaling.alpha.kubernetes.io/current-metrics';
const CONDITIONS = 'autoscaling.alpha.kubernetes.io/conditions';
const BEHAVIOR = 'autoscaling.alpha.kubernetes.io/behavior';
const ROUND_TRIP = [METRICS, CURRENT_METRICS, CONDITIONS, BEHAVIOR];

type Obj = Record<string, any>;

/** Drops undefined values, as Go's omitempty does. */
function compact(object: Obj): Obj {
  return Object.fromEntries(
    Object.entries(object).filter(([, v]) => v !== undefined),
  );
}

function isCpuUtilization(metric: Obj): boolean {
  return (
    metric.type === 'Resource' &&
    metric.resource?.name === 'cpu' &&
    metric.resource?.target?.averageUtilization !== undefined
  );
}

/** A v2 MetricTarget as v1's target fields (prefix "target" or "current"). */
function v1Values(prefix: string, values: Obj | undefined): Obj {
  return compact({
    [`${prefix}AverageUtilization`]: values?.averageUtilization,
    [`${prefix}AverageValue`]: values?.averageValue,
    [`${prefix}Value`]: values?.value,
  });
}

/** v1's target (or current) fields as a v2 MetricTarget (or MetricValueStatus). */
function v2Values(prefix: string, v1: Obj, target: boolean): Obj {
  const values = compact({
    averageUtilization: v1[`${prefix}AverageUtilization`],
    averageValue: v1[`${prefix}AverageValue`],
    value: v1[`${prefix}Value`],
  });
  if (!target) return values;
  let type = 'Value';
  if (values.averageUtilization !== undefined) type = 'Utilization';
  else if (values.averageValue !== undefined) type = 'AverageValue';
  return { type, ...values };
}

/** A v2 metric (spec or status) in v1's shape. */
function metricToV1(metric: Obj, status: boolean): Obj {
  const prefix = status ? 'current' : 'target';
  const values = (source: Obj) => (status ? source.current : source.target);
  const out: Obj = { type: metric.type };
  const { resource, containerResource, pods, object, external } = metric;
  if (resource)
    out.resource = {
      name: resource.name,
      ...v1Values(prefix, values(resource)),
    };
  if (containerResource)
    out.containerResource = {
      name: containerResource.name,
      container: containerResource.container,
      ...v1Values(prefix, values(containerResource)),
    };
  if (pods)
    out.pods = compact({
      metricName: pods.metric?.name,
      selector: pods.metric?.selector,
      ...v1Values(prefix, values(pods)),
    });
  if (object)
    out.object = compact({
      target: object.describedObject,
      metricName: object.metric?.name,
      selector: object.metric?.selector,
      ...v1Values(prefix, values(object)),
    });
  if (external)
    out.external = compact({
      metricName: external.metric?.name,
      metricSelector: external.metric?.selector,
      ...v1Values(prefix, values(external)),
    });
  return out;
}

/** A v1 metric (spec or status) in v2's shape. */
function metricToV2(metric: Obj, status: boolean): Obj {
  const prefix = status ? 'current' : 'target';
  const key = status ? 'current' : 'target';
  const out: Obj = { type: metric.type };
  const { resource, containerResource, pods, object, external } = metric;
  if (resource)
    out.resource = {
      name: resource.name,
      [key]: v2Values(prefix, resource, !status),
    };
  if (containerResource)
    out.containerResource = {
      name: containerResource.name,
      container: containerResource.container,
      [key]: v2Values(prefix, containerResource, !status),
    };
  if (pods)
    out.pods = {
      metric: compact({ name: pods.metricName, selector: pods.selector }),
      [key]: v2Values(prefix, pods, !status),
    };
  if (object)
    out.object = {
      describedObject: object.target,
      metric: compact({ name: object.metricName, selector: object.selector }),
      [key]: v2Values(prefix, object, !status),
    };
  if (external)
    out.external = {
      metric: compact({
        name: external.metricName,
        selector: external.metricSelector,
      }),
      [key]: v2Values(prefix, external, !status),
    };
  return out;
}

function toV1(hpa: KubeObject): KubeObject {
  const spec: Obj = hpa.spec ?? {};
  const status = hpa.status as Obj | undefined;
  const annotations: Record<string, string> = Object.fromEntries(
    Object.entries(hpa.metadata.annotations ?? {}).filter(
      ([key]) => !ROUND_TRIP.includes(key),
    ),
  );
  const metrics: Obj[] = spec.metrics ?? [];
  const cpu = metrics.find(isCpuUtilization);
  const others = metrics.filter(m => !isCpuUtilization(m));
  if (others.length)
    annotations[METRICS] = JSON.stringify(
      others.map(m => metricToV1(m, false)),
    );
  if (spec.behavior) annotations[BEHAVIOR] = JSON.stringify(spec.behavior);
  const currentMetrics: Obj[] = status?.currentMetrics ?? [];
  if (currentMetrics.length)
    annotations[CURRENT_METRICS] = JSON.stringify(
      currentMetrics.map(m => metricToV1(m, true)),
    );
  if (status?.conditions?.length)
    annotations[CONDITIONS] = JSON.stringify(status.conditions);
  const currentCpu = currentMetrics.find(
    m =>
      m.type === 'Resource' &&
      m.resource?.name === 'cpu' &&
      m.resource?.current?.averageUtilization !== undefined,
  );
  const { annotations: _dropped, ...metadata } = hpa.metadata;
  return {
    ...hpa,
    apiVersion: 'autoscaling/v1',
    metadata: Object.keys(annotations).length
      ? { ...metadata, annotations }
      : metadata,
    spec: compact({
      scaleTargetRef: spec.scaleTargetRef,
      minReplicas: spec.minReplicas,
      maxReplicas: spec.maxReplicas,
      targetCPUUtilizationPercentage: cpu?.resource.target.averageUtilization,
    }),
    ...(status
      ? {
          status: compact({
            observedGeneration: status.observedGeneration,
            lastScaleTime: status.lastScaleTime,
            currentReplicas: status.currentReplicas ?? 0,
            desiredReplicas: status.desiredReplicas ?? 0,
            currentCPUUtilizationPercentage:
              currentCpu?.resource.current.averageUtilization,
          }),
        }
      : {}),
  };
}

function parseAnnotation(value: string | undefined): any[] {
  if (!value) return [];
  try {
    const parsed = JSON.parse(value);
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

function toV2(hpa: KubeObject): KubeObject {
  const spec: Obj = hpa.spec ?? {};
  const status = hpa.status as Obj | undefined;
  const annotations: Record<string, string> = hpa.metadata.annotations ?? {};
  const metrics: Obj[] = [];
  if (spec.targetCPUUtilizationPercentage !== undefined)
    metrics.push({
      type: 'Resource',
      resource: {
        name: 'cpu',
        target: {
          type: 'Utilization',
          averageUtilization: spec.targetCPUUtilizationPercentage,
        },
      },
    });
  metrics.push(
    ...parseAnnotation(annotations[METRICS]).map(m => metricToV2(m, false)),
  );
  // v1's implicit target, made explicit as kube-apiserver's conversion does.
  if (!metrics.length)
    metrics.push({
      type: 'Resource',
      resource: {
        name: 'cpu',
        target: { type: 'Utilization', averageUtilization: 80 },
      },
    });
  let behavior: Obj | undefined;
  try {
    behavior = annotations[BEHAVIOR]
      ? JSON.parse(annotations[BEHAVIOR])
      : undefined;
  } catch {
    behavior = undefined;
  }
  const kept = Object.fromEntries(
    Object.entries(annotations).filter(([key]) => !ROUND_TRIP.includes(key)),
  );
  const { annotations: _dropped, ...metadata } = hpa.metadata;
  let currentMetrics = parseAnnotation(annotations[CURRENT_METRICS]).map(m =>
    metricToV2(m, true),
  );
  // The annotation has more than v1's CPU percentage; without it, that is all.
  if (
    !currentMetrics.length &&
    status?.currentCPUUtilizationPercentage !== undefined
  ) {
    currentMetrics = [
      {
        type: 'Resource',
        resource: {
          name: 'cpu',
          current: {
            averageUtilization: status.currentCPUUtilizationPercentage,
          },
        },
      },
    ];
  }
  const conditions = parseAnnotation(annotations[CONDITIONS]);
  return {
    ...hpa,
    apiVersion: 'autoscaling/v2',
    metadata: Object.keys(kept).length
      ? { ...metadata, annotations: kept }
      : metadata,
    spec: compact({
      scaleTargetRef: spec.scaleTargetRef,
      // v1's default.
      minReplicas: spec.minReplicas ?? 1,
      maxReplicas: spec.maxReplicas,
      metrics,
      behavior,
    }),
    ...(status
      ? {
          status: compact({
            observedGeneration: status.observedGeneration,
            lastScaleTime: status.lastScaleTime,
            currentReplicas: status.currentReplicas,
            desiredReplicas: status.desiredReplicas,
            currentMetrics: currentMetrics.length ? currentMetrics : undefined,
            conditions: conditions.length ? conditions : undefined,
          }),
        }
      : {}),
  };
}

export const horizontalPodAutoscalerConverter: CustomResourceConverter = {
  group: 'autoscaling',
  kinds: ['HorizontalPodAutoscaler'],
  convert(object, apiVersion) {
    if (object.apiVersion === apiVersion) return object;
    const copy = deepClone(object);
    return apiVersion === 'autoscaling/v1' ? toV1(copy) : toV2(copy);
  },
};
