import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  CATALOG_FILTER_EXISTS,
  EntityFilterQuery,
} from '@backstage/catalog-client';
import { Entity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  KUBERNETES_ID_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_ANNOTATION,
} from '@cairn/plugin-kubernetes-common';
import { EntityScope, getEntityScope, sortScopes } from './entityScope';

/** Options of {@link ReadableEntityScopes}. @public */
export interface ReadableEntityScopesOptions {
  catalog: CatalogService;
  permissions: PermissionsService;
  /** What the caller must hold on an entity, e.g. `pipelines.run.read`. */
  permission: ResourcePermission<'catalog-entity'>;
  /**
   * The catalog's filter for the entities that take part (default: those
   * with a `backstage.io/kubernetes-id` or `-label-selector` annotation).
   */
  filter?: EntityFilterQuery;
  /**
   * Whether an entity the filter found takes part (default: all), for what
   * a catalog filter cannot say, e.g. an opt-in annotation read case-blind.
   */
  isAvailable?: (entity: Entity) => boolean;
  /**
   * How long one caller's entity set is reused (default 10 s): a page view
   * makes several requests, and paging or filtering makes more.
   */
  ttlMs?: number;
}

interface Entry {
  expires: number;
  scopes: Promise<EntityScope[]>;
}

/** Callers whose sets are kept before expired ones are swept out. */
const SWEEP_ABOVE = 1000;

/** The entities with the annotations that find their cluster objects. */
const HAS_KUBERNETES_ANNOTATIONS: EntityFilterQuery = [
  {
    [`metadata.annotations.${KUBERNETES_ID_ANNOTATION}`]: CATALOG_FILTER_EXISTS,
  },
  {
    [`metadata.annotations.${KUBERNETES_LABEL_SELECTOR_ANNOTATION}`]:
      CATALOG_FILTER_EXISTS,
  },
];

/**
 * The entities whose objects a caller may read, for the lists that cover
 * every entity: those the caller can see in the catalog that take part
 * (`filter`, `isAvailable`) with a valid scope, less those on which the
 * caller does not hold `permission` — asked in one batch, so the permission
 * backend resolves conditional (owner) decisions together. Sorted by entity
 * ref, the order objects are attributed to entities in.
 *
 * Each caller's set is kept briefly, keyed by who the caller is, and one
 * resolution is shared by the caller's concurrent requests; a failed one is
 * not kept.
 * @public
 */
export class ReadableEntityScopes {
  private readonly cache = new Map<string, Entry>();
  private readonly ttlMs: number;

  constructor(private readonly options: ReadableEntityScopesOptions) {
    this.ttlMs = options.ttlMs ?? 10_000;
  }

  async forCredentials(
    credentials: BackstageCredentials,
  ): Promise<EntityScope[]> {
    const key = cacheKey(credentials);
    const now = Date.now();
    const cached = key ? this.cache.get(key) : undefined;
    if (cached && cached.expires > now) return cached.scopes;
    const scopes = this.resolve(credentials);
    if (key) {
      this.sweep(now);
      this.cache.set(key, { expires: now + this.ttlMs, scopes });
      scopes.catch(() => {
        if (this.cache.get(key)?.scopes === scopes) this.cache.delete(key);
      });
    }
    return scopes;
  }

  private sweep(now: number): void {
    if (this.cache.size < SWEEP_ABOVE) return;
    for (const [key, entry] of this.cache) {
      if (entry.expires <= now) this.cache.delete(key);
    }
  }

  private async resolve(
    credentials: BackstageCredentials,
  ): Promise<EntityScope[]> {
    const { items } = await this.options.catalog.getEntities(
      {
        filter: this.options.filter ?? HAS_KUBERNETES_ANNOTATIONS,
        fields: [
          'kind',
          'metadata.namespace',
          'metadata.name',
          'metadata.annotations',
        ],
      },
      { credentials },
    );
    const candidates: EntityScope[] = [];
    for (const entity of items) {
      if (this.options.isAvailable && !this.options.isAvailable(entity)) {
        continue;
      }
      try {
        candidates.push(getEntityScope(entity));
      } catch {
        // An invalid selector annotation: its own entity tab says what to fix.
      }
    }
    if (!candidates.length) return [];
    const decisions = await this.options.permissions.authorize(
      candidates.map(scope => ({
        permission: this.options.permission,
        resourceRef: scope.entityRef,
      })),
      { credentials },
    );
    return sortScopes(
      candidates.filter(
        (_, i) => decisions[i]?.result === AuthorizeResult.ALLOW,
      ),
    );
  }
}

/** Who the caller is, for the cache; undefined for callers not to cache. */
function cacheKey(credentials: BackstageCredentials): string | undefined {
  const principal = credentials.principal as {
    type?: string;
    userEntityRef?: string;
    subject?: string;
  };
  if (principal.type === 'user' && principal.userEntityRef) {
    return `user:${principal.userEntityRef}`;
  }
  if (principal.type === 'service' && principal.subject) {
    return `service:${principal.subject}`;
  }
  return undefined;
}
