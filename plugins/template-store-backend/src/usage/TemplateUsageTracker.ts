import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  CachedObject,
  ClusterWatches,
  EntityScope,
  EntityScopeMatcher,
  getEntityScope,
  ResourceCache,
  WatchedResource,
} from '@cairn/plugin-kubernetes-node';
import { TemplateUsage } from '@cairn/plugin-template-store-common';
import { TemplateStore } from '../store/TemplateStore';
import { pipelineReferences } from './pipelineReferences';

type TektonObject = CachedObject & {
  metadata: CachedObject['metadata'] & {
    name?: string;
    namespace?: string;
    annotations?: Record<string, string>;
  };
  spec?: any;
};

/**
 * The Tekton kinds as every backend plugin watches them (tekton.dev/v1,
 * kept whole): the shared watches give one cache per kind per cluster, so
 * the store reads the caches the Pipelines backend reads, with no watch of
 * its own.
 */
const tekton = (
  plural: string,
  kind: string,
): WatchedResource<TektonObject> => ({
  group: 'tekton.dev',
  version: 'v1',
  plural,
  kind,
  notServedHint: 'is Tekton Pipelines installed?',
});

/** Options of {@link TemplateUsageTracker}. */
export interface TemplateUsageTrackerOptions {
  watches: ClusterWatches;
  store: TemplateStore;
  catalog: CatalogService;
  auth: AuthService;
  logger: LoggerService;
  /** How long a cluster's changes gather before its usage is written again (default 2 s). */
  settleMs?: number;
}

/**
 * Keeps `template_usage` true to the watched clusters: which Pipelines use
 * which template versions ({@link pipelineReferences}), from the shared
 * watches of Pipelines and Tasks. A cluster's changes are gathered for a
 * moment, then its usage is computed from the caches and written in one
 * transaction. The entity of each Pipeline is the catalog entity whose
 * `backstage.io/kubernetes-*` annotations select it.
 */
export class TemplateUsageTracker {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly unsubscribe: Array<() => void> = [];
  private readonly settleMs: number;
  private stopped = false;

  constructor(private readonly options: TemplateUsageTrackerOptions) {
    this.settleMs = options.settleMs ?? 2000;
  }

  /** Subscribes to every cluster's Pipelines and Tasks; their first lists start a sync. */
  start(): void {
    const { watches } = this.options;
    for (const cluster of watches.clusterNames()) {
      const caches = [
        watches.cache(cluster, tekton('pipelines', 'Pipeline')),
        watches.cache(cluster, tekton('tasks', 'Task')),
      ];
      for (const cache of caches) {
        this.unsubscribe.push(cache.subscribe(() => this.schedule(cluster)));
      }
    }
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe.forEach(u => u());
    this.timers.forEach(t => clearTimeout(t));
    this.timers.clear();
  }

  private schedule(cluster: string) {
    if (this.stopped || this.timers.has(cluster)) return;
    this.timers.set(
      cluster,
      setTimeout(() => {
        this.timers.delete(cluster);
        this.sync(cluster).catch(error =>
          this.options.logger.warn(
            `could not record template usage of cluster ${cluster}: ${error}`,
          ),
        );
      }, this.settleMs),
    );
  }

  /** Computes and writes one cluster's usage from the caches. */
  async sync(cluster: string): Promise<TemplateUsage[]> {
    const { watches, store } = this.options;
    const pipelines = watches.cache(cluster, tekton('pipelines', 'Pipeline'));
    const tasks: ResourceCache<TektonObject> = watches.cache(
      cluster,
      tekton('tasks', 'Task'),
    );
    const matcher = new EntityScopeMatcher(await this.entityScopes());
    const usages = pipelines.list().flatMap(pipeline =>
      pipelineReferences(pipeline, (namespace, name) =>
        tasks.get(namespace, name),
      ).map(ref => {
        const entityRef = matcher.match(cluster, pipeline)?.entityRef;
        return {
          ...ref,
          cluster,
          namespace: pipeline.metadata.namespace ?? '',
          pipeline: pipeline.metadata.name ?? '',
          ...(entityRef ? { entityRef } : {}),
        };
      }),
    );
    await store.replaceUsage(cluster, usages);
    return usages;
  }

  /** Every catalog entity that finds cluster objects by its annotations. */
  private async entityScopes(): Promise<EntityScope[]> {
    const { catalog, auth } = this.options;
    const { items } = await catalog.getEntities(
      {
        filter: [
          {
            'metadata.annotations.backstage.io/kubernetes-id':
              CATALOG_FILTER_EXISTS,
          },
          {
            'metadata.annotations.backstage.io/kubernetes-label-selector':
              CATALOG_FILTER_EXISTS,
          },
        ],
        fields: ['kind', 'metadata', 'spec.owner'],
      },
      { credentials: await auth.getOwnServiceCredentials() },
    );
    return items.flatMap(entity => {
      try {
        return [getEntityScope(entity)];
      } catch {
        // An entity with a broken selector selects nothing; its page says why.
        return [];
      }
    });
  }
}
