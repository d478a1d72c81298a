import type { ContainerInfo } from '../runtime';
import { processGroupUsage } from '../runtime/usage';
import type { ObjectStore } from '../store/objectStore';
import type { KubeObject } from '../store/types';
import { timestamp } from './objects';

/*
 * metrics.k8s.io/v1beta1 as metrics-server serves it, from the containers'
 * own processes: a container's CPU is the rate of its process group's CPU
 * time since the previous reading (over its whole life at the first), its
 * memory the group's resident set; an idle container (no process) uses
 * nothing. A node's usage is the sum of its pods'. `kubectl top` and the
 * HorizontalPodAutoscaler read these.
 */

/** A reading is reused within this time rather than measured over a shorter window. */
const MIN_WINDOW_MS = 1_000;

interface Sample {
  at: number;
  cpuSeconds: number;
  /** The rate measured up to this sample, in cores. */
  cores: number;
  windowMs: number;
}

export interface ContainerUsage {
  name: string;
  /** Cores. */
  cpu: number;
  /** Bytes. */
  memory: number;
}

export interface PodUsage {
  pod: KubeObject;
  containers: ContainerUsage[];
  windowMs: number;
}

export const cpuQuantity = (cores: number) => `${Math.round(cores * 1e9)}n`;
export const memoryQuantity = (bytes: number) =>
  `${Math.round(bytes / 1024)}Ki`;

const window = (ms: number) => `${(ms / 1000).toFixed(3)}s`;

export class MetricsProvider {
  private readonly samples = new Map<string, Sample>();
  /**
   * PodMetrics lists by namespace ('' for all), reused within MIN_WINDOW_MS
   * as metrics-server serves its last scrape: `kubectl top` in a loop then
   * costs no /proc scan and no new objects per call.
   */
  private readonly served = new Map<
    string,
    { at: number; objects: KubeObject[] }
  >();

  constructor(
    private readonly store: ObjectStore,
    private readonly container: (id: string) => ContainerInfo | undefined,
  ) {}

  /** The usage of the running pods (of one namespace, if given). */
  podUsage(namespace?: string): PodUsage[] {
    const pods = this.store
      .list('/pods', namespace ? { namespace } : {})
      .items.filter(p => (p as any).status?.phase === 'Running') as any[];
    const running = pods.flatMap(pod =>
      (pod.status?.containerStatuses ?? [])
        .filter((s: any) => s.state?.running && s.containerID)
        .map((s: any) => ({
          pod,
          name: s.name,
          info: this.container(s.containerID),
        })),
    );
    const usage = processGroupUsage(
      running.flatMap(r => (r.info?.pid === undefined ? [] : [r.info.pid])),
    );
    const now = Date.now();
    const byPod = new Map<any, PodUsage>();
    for (const { pod, name, info } of running) {
      const group = info?.pid === undefined ? undefined : usage.get(info.pid);
      let cores = 0;
      let windowMs = MIN_WINDOW_MS;
      if (info && group) {
        const previous = this.samples.get(info.id);
        if (previous && now - previous.at < MIN_WINDOW_MS) {
          cores = previous.cores;
          windowMs = previous.windowMs;
        } else {
          const since = previous?.at ?? info.startedAt.getTime();
          windowMs = Math.max(1, now - since);
          cores =
            Math.max(0, group.cpuSeconds - (previous?.cpuSeconds ?? 0)) /
            (windowMs / 1000);
          this.samples.set(info.id, {
            at: now,
            cpuSeconds: group.cpuSeconds,
            cores,
            windowMs,
          });
        }
      }
      const entry: PodUsage = byPod.get(pod) ?? {
        pod,
        containers: [],
        windowMs,
      };
      entry.containers.push({
        name,
        cpu: cores,
        memory: group?.memoryBytes ?? 0,
      });
      entry.windowMs = Math.max(entry.windowMs, windowMs);
      byPod.set(pod, entry);
    }
    return [...byPod.values()];
  }

  /** PodMetrics objects, as metrics-server lists them. */
  podMetrics(namespace?: string): KubeObject[] {
    const now = Date.now();
    for (const [key, entry] of this.served)
      if (now - entry.at >= MIN_WINDOW_MS) this.served.delete(key);
    const served = this.served.get(namespace ?? '');
    if (served) return served.objects;
    const at = timestamp();
    const objects = this.podUsage(namespace).map(
      ({ pod, containers, windowMs }) => ({
        kind: 'PodMetrics',
        apiVersion: 'metrics.k8s.io/v1beta1',
        metadata: {
          name: pod.metadata.name,
          namespace: pod.metadata.namespace,
          creationTimestamp: at,
          labels: pod.metadata.labels,
        },
        timestamp: at,
        window: window(windowMs),
        containers: containers.map(c => ({
          name: c.name,
          usage: {
            cpu: cpuQuantity(c.cpu),
            memory: memoryQuantity(c.memory),
          },
        })),
      }),
    );
    this.served.set(namespace ?? '', { at: now, objects });
    return objects;
  }

  /** NodeMetrics objects: every node, with the sum of its pods' usage. */
  nodeMetrics(): KubeObject[] {
    const totals = new Map<string, { cpu: number; memory: number }>();
    for (const { pod, containers } of this.podUsage()) {
      const node = (pod as any).spec?.nodeName;
      if (!node) continue;
      const total = totals.get(node) ?? { cpu: 0, memory: 0 };
      for (const c of containers) {
        total.cpu += c.cpu;
        total.memory += c.memory;
      }
      totals.set(node, total);
    }
    return this.store.list('/nodes').items.map(node => {
      const total = totals.get(node.metadata.name!) ?? { cpu: 0, memory: 0 };
      return {
        kind: 'NodeMetrics',
        apiVersion: 'metrics.k8s.io/v1beta1',
        metadata: {
          name: node.metadata.name,
          creationTimestamp: timestamp(),
          labels: node.metadata.labels,
        },
        timestamp: timestamp(),
        window: window(MIN_WINDOW_MS),
        usage: {
          cpu: cpuQuantity(total.cpu),
          memory: memoryQuantity(total.memory),
        },
      };
    });
  }
}
