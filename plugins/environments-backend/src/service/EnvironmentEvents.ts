import { LoggerService } from '@backstage/backend-plugin-api';
import { SignalsService } from '@backstage/plugin-signals-node';
import {
  ENVIRONMENTS_SIGNAL_CHANNEL,
  EnvironmentsChangedSignal,
} from '@cairn/plugin-environments-common';
import { CachedNode, ClusterWatches } from '@cairn/plugin-kubernetes-node';
import { environmentCaches, NODES } from './resources';

const SEED_TIMEOUT_MS = 60_000;

/** Options of {@link EnvironmentEvents}. */
export interface EnvironmentEventsOptions {
  watches: ClusterWatches;
  signals: SignalsService;
  logger: LoggerService;
  /** At most one signal per cluster per this many milliseconds, each changed object named once (default 500). */
  throttleMs?: number;
}

/** What the Nodes page shows of a node that its status heartbeats do not change. */
function nodeShape(node: CachedNode): string {
  return JSON.stringify([
    node.metadata.labels ?? {},
    node.status?.conditions?.find(c => c.type === 'Ready')?.status,
  ]);
}

/**
 * Pushes Environment and node changes out of the shared watches, so open
 * Environments pages refetch without polling: a signal on
 * `environments:changes` per cluster naming the Environments (spec or
 * status, usage against quota included) and nodes (added, deleted, labels
 * or readiness) that changed since the last one, at most one per cluster
 * per `throttleMs`. A node's status heartbeats, which change nothing the
 * pages show, are not signalled.
 */
export class EnvironmentEvents {
  private readonly unsubscribe: Array<() => void> = [];
  private readonly pending = new Map<
    string,
    { environments: Set<string>; nodes: Set<string> }
  >();
  /** Per cluster, each node's shape as last seen. */
  private readonly shapes = new Map<string, Map<string, string>>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly options: EnvironmentEventsOptions) {}

  start(): void {
    for (const cluster of this.options.watches.clusterNames()) {
      const { environments, nodes } = environmentCaches(
        this.options.watches,
        cluster,
      );
      const shapes = new Map<string, string>();
      this.shapes.set(cluster, shapes);
      this.unsubscribe.push(
        environments.subscribe(({ object }) =>
          this.changed(cluster).environments.add(object.metadata.name!),
        ),
        nodes.subscribe(({ type, object }) => {
          const name = object.metadata.name!;
          const before = shapes.get(name);
          if (type === 'deleted') {
            shapes.delete(name);
          } else {
            const shape = nodeShape(object);
            shapes.set(name, shape);
            if (type === 'modified' && shape === before) return;
          }
          this.changed(cluster).nodes.add(name);
        }),
      );
      // The shapes of the first list (which brings no events), so a node's
      // first heartbeat is no change; a cluster that cannot be listed
      // yet signals each node once on its first event instead.
      this.options.watches
        .synced(cluster, [NODES], SEED_TIMEOUT_MS)
        .then(() => {
          for (const node of nodes.list()) {
            const name = node.metadata.name!;
            if (!shapes.has(name)) shapes.set(name, nodeShape(node));
          }
        })
        .catch(() => {});
    }
    this.timer = setInterval(
      () => this.flush(),
      this.options.throttleMs ?? 500,
    );
    // It does not keep the process alive; stop() ends it with the backend.
    this.timer.unref();
  }

  stop(): void {
    this.unsubscribe.splice(0).forEach(off => off());
    clearInterval(this.timer);
  }

  private changed(cluster: string) {
    let changes = this.pending.get(cluster);
    if (!changes) {
      changes = { environments: new Set(), nodes: new Set() };
      this.pending.set(cluster, changes);
    }
    return changes;
  }

  private flush(): void {
    const changed = [...this.pending.entries()];
    this.pending.clear();
    for (const [cluster, { environments, nodes }] of changed) {
      const message: EnvironmentsChangedSignal = {
        cluster,
        environments: [...environments].sort(),
        nodes: [...nodes].sort(),
      };
      this.options.signals
        .publish({
          recipients: { type: 'broadcast' },
          channel: ENVIRONMENTS_SIGNAL_CHANNEL,
          message: { ...message },
        })
        .catch(error =>
          this.options.logger.warn(
            `could not signal the Environments changes of cluster ${cluster}: ${error}`,
          ),
        );
    }
  }
}
