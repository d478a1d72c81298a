/**
 * The v1 defaults (SetDefaults_*) that validation relies on, for the kinds
 * with dedicated validation: Pod and pod templates, Service, Deployment.
 */

import type { Obj } from './meta';
import { VOLUME_SOURCES } from './pod';

/** SetDefaults_Probe and SetDefaults_HTTPGetAction. */
function defaultProbe(probe: Obj): Obj {
  const defaulted: Obj = {
    timeoutSeconds: 1,
    periodSeconds: 10,
    successThreshold: 1,
    failureThreshold: 3,
    ...probe,
  };
  if (probe.httpGet)
    defaulted.httpGet = { path: '/', scheme: 'HTTP', ...probe.httpGet };
  return defaulted;
}

function defaultContainer(container: Obj): Obj {
  const image = String(container.image ?? '');
  const lastSegment = image.split('/').pop() ?? '';
  const tag = image.includes('@')
    ? 'digest'
    : lastSegment.split(':')[1] ?? 'latest';
  const defaulted: Obj = {
    ...container,
    terminationMessagePath:
      container.terminationMessagePath ?? '/dev/termination-log',
    terminationMessagePolicy: container.terminationMessagePolicy ?? 'File',
    imagePullPolicy:
      container.imagePullPolicy ??
      (tag === 'latest' ? 'Always' : 'IfNotPresent'),
  };
  if (container.ports) {
    defaulted.ports = container.ports.map((p: Obj) => ({
      ...p,
      protocol: p.protocol ?? 'TCP',
    }));
  }
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    if (container[probe]) defaulted[probe] = defaultProbe(container[probe]);
  }
  return defaulted;
}

/**
 * Applies the v1 defaults of a pod spec that validation relies on
 * (SetDefaults_PodSpec, _Container, _ContainerPort, _Volume); pod templates
 * get exactly these. Returns a new spec.
 */
export function applyPodSpecDefaults(spec: Obj | undefined): Obj {
  const s: Obj = { ...(spec ?? {}) };
  s.restartPolicy ??= 'Always';
  s.dnsPolicy ??= 'ClusterFirst';
  s.schedulerName ??= 'default-scheduler';
  s.terminationGracePeriodSeconds ??= 30;
  s.securityContext ??= {};
  if (s.serviceAccountName === undefined && s.serviceAccount) {
    s.serviceAccountName = s.serviceAccount;
  }
  for (const field of ['containers', 'initContainers', 'ephemeralContainers']) {
    if (!s[field]) continue;
    s[field] = s[field].map((c: Obj) => {
      const container = defaultContainer(c);
      // With host networking the host port is the container port.
      if (s.hostNetwork && container.ports && field !== 'ephemeralContainers') {
        container.ports = container.ports.map((p: Obj) => ({
          ...p,
          hostPort: p.hostPort ?? p.containerPort,
        }));
      }
      return container;
    });
  }
  if (s.volumes) {
    s.volumes = s.volumes.map((v: Obj) => {
      const hasSource = VOLUME_SOURCES.some(
        source => v[source] !== undefined && v[source] !== null,
      );
      const volume: Obj = hasSource ? { ...v } : { ...v, emptyDir: {} };
      if (volume.secret) volume.secret = { defaultMode: 420, ...volume.secret };
      if (volume.configMap)
        volume.configMap = { defaultMode: 420, ...volume.configMap };
      return volume;
    });
  }
  return s;
}

/**
 * Applies the defaults of a Pod (SetDefaults_Pod on top of the spec
 * defaults): requests default to limits, service links are enabled.
 */
export function applyPodDefaults<T extends Obj>(pod: T): T {
  const spec = applyPodSpecDefaults(pod.spec);
  spec.enableServiceLinks ??= true;
  for (const field of ['containers', 'initContainers']) {
    if (!spec[field]) continue;
    spec[field] = spec[field].map((c: Obj) => {
      const limits = c.resources?.limits;
      if (!limits) return c;
      return {
        ...c,
        resources: {
          ...c.resources,
          requests: { ...limits, ...(c.resources.requests ?? {}) },
        },
      };
    });
  }
  return { ...pod, spec };
}

/** Applies Service defaults (SetDefaults_Service) that validation relies on. */
export function applyServiceDefaults<T extends Obj>(service: T): T {
  const spec: Obj = { ...(service.spec ?? {}) };
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  if (spec.ports) {
    spec.ports = spec.ports.map((p: Obj) => ({
      ...p,
      protocol: p.protocol ?? 'TCP',
      targetPort: p.targetPort ?? p.port,
    }));
  }
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer')
    spec.externalTrafficPolicy ??= 'Cluster';
  if (spec.type !== 'ExternalName') spec.internalTrafficPolicy ??= 'Cluster';
  return { ...service, spec };
}

/** Applies apps/v1 Deployment defaults (SetDefaults_Deployment) except the pod template's. */
export function applyDeploymentDefaults<T extends Obj>(deployment: T): T {
  const spec: Obj = { ...(deployment.spec ?? {}) };
  spec.replicas ??= 1;
  spec.strategy = { type: 'RollingUpdate', ...(spec.strategy ?? {}) };
  if (spec.strategy.type === 'RollingUpdate') {
    spec.strategy.rollingUpdate = {
      maxUnavailable: '25%',
      maxSurge: '25%',
      ...(spec.strategy.rollingUpdate ?? {}),
    };
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  return { ...deployment, spec };
}

/** Applies apps/v1 StatefulSet defaults (SetDefaults_StatefulSet) except the pod template's. */
export function applyStatefulSetDefaults<T extends Obj>(statefulSet: T): T {
  const spec: Obj = { ...(statefulSet.spec ?? {}) };
  spec.replicas ??= 1;
  spec.podManagementPolicy ??= 'OrderedReady';
  spec.updateStrategy = {
    type: 'RollingUpdate',
    ...(spec.updateStrategy ?? {}),
  };
  if (spec.updateStrategy.type === 'RollingUpdate') {
    spec.updateStrategy.rollingUpdate = {
      partition: 0,
      ...(spec.updateStrategy.rollingUpdate ?? {}),
    };
  }
  spec.revisionHistoryLimit ??= 10;
  spec.persistentVolumeClaimRetentionPolicy = {
    whenDeleted: 'Retain',
    whenScaled: 'Retain',
    ...(spec.persistentVolumeClaimRetentionPolicy ?? {}),
  };
  if (spec.volumeClaimTemplates) {
    spec.volumeClaimTemplates = spec.volumeClaimTemplates.map((c: Obj) => ({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      ...c,
      spec: { volumeMode: 'Filesystem', ...(c.spec ?? {}) },
      status: c.status ?? { phase: 'Pending' },
    }));
  }
  return { ...statefulSet, spec };
}

/** Applies apps/v1 DaemonSet defaults (SetDefaults_DaemonSet) except the pod template's. */
export function applyDaemonSetDefaults<T extends Obj>(daemonSet: T): T {
  const spec: Obj = { ...(daemonSet.spec ?? {}) };
  spec.updateStrategy = {
    type: 'RollingUpdate',
    ...(spec.updateStrategy ?? {}),
  };
  if (spec.updateStrategy.type === 'RollingUpdate') {
    spec.updateStrategy.rollingUpdate = {
      maxUnavailable: 1,
      maxSurge: 0,
      ...(spec.updateStrategy.rollingUpdate ?? {}),
    };
  }
  spec.revisionHistoryLimit ??= 10;
  return { ...daemonSet, spec };
}

/**
 * What decoding a Secret does: `stringData` entries are written into `data`
 * (base64, overriding), `stringData` is dropped, and `type` defaults to Opaque.
 */
export function applySecretDefaults<T extends Obj>(secret: T): T {
  const { stringData, ...rest } = secret as Obj;
  const result: Obj = { ...rest, type: secret.type || 'Opaque' };
  if (stringData && Object.keys(stringData).length) {
    result.data = { ...(secret.data ?? {}) };
    for (const [key, value] of Object.entries(stringData as Obj)) {
      result.data[key] = Buffer.from(String(value), 'utf8').toString('base64');
    }
  }
  return result as T;
}
