import {
  PipelineRun,
  RunChange,
  TaskRun,
  TEKTON_LABELS,
} from '@cairn/plugin-pipelines-common';
import {
  CacheEvent,
  EntityScope,
  EntityScopeMatcher,
} from '@cairn/plugin-kubernetes-node';
import { taskRunsOf, TektonWatches } from '../watch';
import { summarizeRun } from './runQuery';

/** Options of {@link RunEvents}. @public */
export interface RunEventsOptions {
  watches: TektonWatches;
  /** Changes are batched per listener for this long (default 250 ms). */
  batchMs?: number;
}

/** An open subscription of {@link RunEvents.listen}. @public */
export interface RunSubscription {
  /**
   * Follows these entities' runs from now on (e.g. once the caller may read
   * others); changes already waiting to be sent are kept.
   */
  setScopes(scopes: readonly EntityScope[]): void;
  stop(): void;
}

interface Listener {
  scopes: EntityScopeMatcher;
  send: (changes: RunChange[]) => void;
  /** Changed runs by key, with the entity each is listed for. */
  pending: Map<
    string,
    { entityRef: string; cluster: string; namespace: string; name: string }
  >;
  timer?: NodeJS.Timeout;
}

/**
 * Pushes changes of runs to the listeners whose entities they belong to, from
 * the shared watches: a PipelineRun change, or a change of one of its
 * TaskRuns (task progress), sends the run's new summary. Changes arriving
 * together are sent together, once per run.
 * @public
 */
export class RunEvents {
  private readonly listeners = new Set<Listener>();
  private readonly unsubscribes: Array<() => void> = [];

  constructor(private readonly options: RunEventsOptions) {}

  start(): void {
    for (const cluster of this.options.watches.clusterNames()) {
      const caches = this.options.watches.get(cluster);
      this.unsubscribes.push(
        caches.pipelineRuns.subscribe((event: CacheEvent<PipelineRun>) =>
          this.changed(cluster, event.object),
        ),
        caches.taskRuns.subscribe((event: CacheEvent<TaskRun>) => {
          const name =
            event.object.metadata.labels?.[TEKTON_LABELS.pipelineRun];
          const namespace = event.object.metadata.namespace;
          const run =
            name && namespace && caches.pipelineRuns.get(namespace, name);
          if (run) this.changed(cluster, run);
        }),
      );
    }
  }

  /** Ends every listener; call on shutdown. */
  stop(): void {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    for (const listener of this.listeners) clearTimeout(listener.timer);
    this.listeners.clear();
  }

  /**
   * Sends the changes of the entities' runs to `send` until stopped; a run
   * several entities select is sent as the first one's (by entity ref), as
   * the runs list shows it.
   */
  listen(
    scopes: readonly EntityScope[],
    send: (changes: RunChange[]) => void,
  ): RunSubscription {
    const listener: Listener = {
      scopes: new EntityScopeMatcher(scopes),
      send,
      pending: new Map(),
    };
    this.listeners.add(listener);
    return {
      setScopes: next => {
        listener.scopes = new EntityScopeMatcher(next);
      },
      stop: () => {
        clearTimeout(listener.timer);
        this.listeners.delete(listener);
      },
    };
  }

  private changed(cluster: string, run: PipelineRun): void {
    const ref = {
      cluster,
      namespace: run.metadata.namespace ?? '',
      name: run.metadata.name ?? '',
    };
    for (const listener of this.listeners) {
      const scope = listener.scopes.match(cluster, run);
      if (!scope) continue;
      listener.pending.set(`${ref.cluster}/${ref.namespace}/${ref.name}`, {
        ...ref,
        entityRef: scope.entityRef,
      });
      if (!listener.timer) {
        listener.timer = setTimeout(
          () => this.flush(listener),
          this.options.batchMs ?? 250,
        );
      }
    }
  }

  private flush(listener: Listener): void {
    listener.timer = undefined;
    const changes: RunChange[] = [];
    for (const { entityRef, ...ref } of listener.pending.values()) {
      const caches = this.options.watches.get(ref.cluster);
      const run = caches.pipelineRuns.get(ref.namespace, ref.name);
      if (!run) {
        changes.push({ type: 'deleted', run: ref });
        continue;
      }
      changes.push({
        type: 'run',
        run: summarizeRun(entityRef, ref.cluster, run, taskRunsOf(caches, run)),
      });
    }
    listener.pending.clear();
    if (changes.length && this.listeners.has(listener)) listener.send(changes);
  }
}
