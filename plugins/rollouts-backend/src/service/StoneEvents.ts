import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { Entity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { SignalsService } from '@backstage/plugin-signals-node';
import {
  ClusterWatches,
  EntityScope,
  EntityScopeMatcher,
  getEntityScope,
} from '@cairn/plugin-kubernetes-node';
import {
  KUBERNETES_ID_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_ANNOTATION,
} from '@cairn/plugin-kubernetes-common';
import { LABEL_STONE } from '@cairn/operators-api';
import {
  ROLLOUTS_SIGNAL_CHANNEL,
  StoneChangedSignal,
} from '@cairn/plugin-rollouts-common';
import { entityOwners } from './permissionRules';
import { CachedStone, stoneCaches } from './stoneResources';
import { stoneNotice } from './stoneNotices';

/** Options of {@link StoneEvents}. */
export interface StoneEventsOptions {
  watches: ClusterWatches;
  catalog: CatalogService;
  auth: AuthService;
  signals: SignalsService;
  notifications: NotificationService;
  logger: LoggerService;
  /** Entity refs of the ops groups, who are told of stages awaiting approval. */
  opsGroups: string[];
  /** The stages the entity's owners may approve, who are then told of them too. */
  ownerApprovableStages?: string[];
  /** Link of a Stone's entity page in notifications; default `/catalog/<ns>/<kind>/<name>/rollouts`. */
  entityLink?: (entityRef: string) => string;
  /** At most one signal per Stone per this many milliseconds (default 500). */
  throttleMs?: number;
  /** How often the entities with Kubernetes annotations are read again (default 60 s). */
  entitiesRefreshMs?: number;
  /**
   * How old the entities read may be before a Stone of none of them has
   * them read again (default 5 s); see {@link StoneEvents}.
   */
  unknownEntityRefreshMs?: number;
}

interface KnownEntities {
  matcher: EntityScopeMatcher;
  owners: Map<string, string[]>;
}

const defaultLink = (entityRef: string) => {
  const [kind, rest] = entityRef.split(':');
  const [namespace, name] = rest.split('/');
  return `/catalog/${namespace}/${kind}/${name}/rollouts`;
};

/**
 * Pushes Stone changes out of the shared watches: a signal on
 * `rollouts:stones` whenever a Stone or one of its pods changes (at most one
 * per Stone per `throttleMs`), so open pages refetch without polling; and a
 * notification when a Stone's state calls for one (see stoneNotice), once
 * per Stone, revision, stage and state — to the ops groups for a stage
 * awaiting approval (and the entity's owners if they may approve it), to
 * the entity's owners for a paused or degraded update. A Stone belongs to
 * the catalog entity whose Kubernetes annotations select it, as on the
 * entity pages. A Stone of none of the entities read reads them again
 * (unless they were read moments ago): an entity the catalog took in after
 * the last read, like the demo's while the portal starts, would otherwise
 * get no signal until the next read and a change after it, and its open
 * page would stay as it was.
 */
export class StoneEvents {
  private readonly unsubscribe: Array<() => void> = [];
  private readonly pending = new Map<
    string,
    { cluster: string; namespace: string; name: string }
  >();
  private readonly sent = new Set<string>();
  private timer?: NodeJS.Timeout;
  private refresher?: NodeJS.Timeout;
  private entities?: Promise<KnownEntities>;
  /** When the entities being used were asked of the catalog. */
  private entitiesReadAt = 0;

  constructor(private readonly options: StoneEventsOptions) {}

  start(): void {
    for (const cluster of this.options.watches.clusterNames()) {
      const { stones, pods } = stoneCaches(this.options.watches, cluster);
      this.unsubscribe.push(
        stones.subscribe(({ object }) => {
          this.changed(
            cluster,
            object.metadata.namespace!,
            object.metadata.name!,
          );
          this.notify(cluster, object).catch(error =>
            this.options.logger.warn(
              `could not send the notification of Stone ${object.metadata.namespace}/${object.metadata.name}: ${error}`,
            ),
          );
        }),
        pods.subscribe(({ object }) => {
          const stone = object.metadata.labels?.[LABEL_STONE];
          if (stone) this.changed(cluster, object.metadata.namespace!, stone);
        }),
      );
    }
    this.timer = setInterval(
      () => this.flush(),
      this.options.throttleMs ?? 500,
    );
    this.refresher = setInterval(() => {
      this.entities = undefined;
    }, this.options.entitiesRefreshMs ?? 60_000);
    // Neither keeps the process alive; stop() ends them with the backend.
    this.timer.unref();
    this.refresher.unref();
  }

  stop(): void {
    this.unsubscribe.splice(0).forEach(off => off());
    clearInterval(this.timer);
    clearInterval(this.refresher);
  }

  private changed(cluster: string, namespace: string, name: string): void {
    this.pending.set(`${cluster}/${namespace}/${name}`, {
      cluster,
      namespace,
      name,
    });
  }

  private flush(): void {
    if (!this.pending.size) return;
    const changed = [...this.pending.values()];
    this.pending.clear();
    this.publish(changed).catch(error =>
      this.options.logger.warn(`could not signal Stone changes: ${error}`),
    );
  }

  private async publish(
    changed: Array<{ cluster: string; namespace: string; name: string }>,
  ): Promise<void> {
    for (const ref of changed) {
      const stone = stoneCaches(this.options.watches, ref.cluster).stones.get(
        ref.namespace,
        ref.name,
      );
      // A deleted Stone is signalled by name to every page; one of no entity is on none.
      const scope = stone ? await this.scopeOf(ref.cluster, stone) : undefined;
      if (stone && !scope) continue;
      const message: StoneChangedSignal = {
        ...ref,
        entityRef: scope?.entityRef ?? '',
      };
      await this.options.signals.publish({
        recipients: { type: 'broadcast' },
        channel: ROLLOUTS_SIGNAL_CHANNEL,
        message: { ...message },
      });
    }
  }

  private async notify(cluster: string, stone: CachedStone): Promise<void> {
    const notice = stoneNotice(stone, {
      ownerApprovableStages: this.options.ownerApprovableStages,
    });
    if (!notice || this.sent.has(notice.key)) return;
    const scope = await this.scopeOf(cluster, stone);
    if (!scope) return;
    const { owners } = await this.known();
    const ownersOfEntity = owners.get(scope.entityRef) ?? [];
    const recipients = {
      ops: this.options.opsGroups,
      owners: ownersOfEntity,
      'owners and ops': [
        ...new Set([...ownersOfEntity, ...this.options.opsGroups]),
      ],
    }[notice.audience];
    this.sent.add(notice.key);
    if (!recipients.length) return;
    await this.options.notifications.send({
      recipients: { type: 'entity', entityRef: recipients },
      payload: {
        title: notice.title,
        description: notice.description,
        severity: notice.severity,
        link: (this.options.entityLink ?? defaultLink)(scope.entityRef),
        topic: 'rollouts',
        // The notifications backend keeps one notification per scope.
        scope: `rollouts:${notice.key}`,
      },
    });
  }

  /** The entity a Stone belongs to, reading the entities again if none of those read is its. */
  private async scopeOf(cluster: string, stone: CachedStone) {
    const scope = (await this.known()).matcher.match(cluster, stone);
    const age = Date.now() - this.entitiesReadAt;
    if (scope || age < (this.options.unknownEntityRefreshMs ?? 5_000)) {
      return scope;
    }
    this.entities = undefined;
    return (await this.known()).matcher.match(cluster, stone);
  }

  /** The entities with Kubernetes annotations, read as the plugin itself and kept a while. */
  private known(): Promise<KnownEntities> {
    if (!this.entities) {
      this.entitiesReadAt = Date.now();
      const loading = this.load();
      this.entities = loading;
      loading.catch(() => {
        if (this.entities === loading) this.entities = undefined;
      });
    }
    return this.entities;
  }

  private async load(): Promise<KnownEntities> {
    const { items } = await this.options.catalog.getEntities(
      {
        filter: [
          {
            [`metadata.annotations.${KUBERNETES_ID_ANNOTATION}`]:
              CATALOG_FILTER_EXISTS,
          },
          {
            [`metadata.annotations.${KUBERNETES_LABEL_SELECTOR_ANNOTATION}`]:
              CATALOG_FILTER_EXISTS,
          },
        ],
        fields: ['kind', 'metadata', 'spec.owner', 'relations'],
      },
      { credentials: await this.options.auth.getOwnServiceCredentials() },
    );
    const scopes: EntityScope[] = [];
    const owners = new Map<string, string[]>();
    for (const entity of items as Entity[]) {
      try {
        const scope = getEntityScope(entity);
        scopes.push(scope);
        owners.set(scope.entityRef, entityOwners(entity));
      } catch {
        // An invalid selector annotation: its own Rollouts tab says what to fix.
      }
    }
    return { matcher: new EntityScopeMatcher(scopes), owners };
  }
}
