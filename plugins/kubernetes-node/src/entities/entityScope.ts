import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  LabelSelector,
  matchesLabelSelector,
  parseLabelSelector,
} from '../watch';
import {
  getEntityLabelSelector,
  KUBERNETES_CLUSTER_ANNOTATION,
  KUBERNETES_NAMESPACE_ANNOTATION,
} from '@cairn/plugin-kubernetes-common';

/**
 * Where an entity's cluster objects are, from its `backstage.io/kubernetes-*`
 * annotations, the way the Backstage Kubernetes plugin finds its objects.
 * @public
 */
export interface EntityScope {
  entityRef: string;
  /** The one cluster named by `backstage.io/kubernetes-cluster`, else all. */
  cluster?: string;
  /** The one namespace named by `backstage.io/kubernetes-namespace`, else all. */
  namespace?: string;
  selector: LabelSelector;
  selectorText: string;
}

/**
 * The scope of an entity; an InputError saying which annotation to add or
 * fix. `objects` names what the scope is for in that message ("Kubernetes
 * objects" by default).
 * @public
 */
export function getEntityScope(
  entity: Entity,
  objects = 'Kubernetes objects',
): EntityScope {
  const entityRef = stringifyEntityRef(entity);
  const selectorText = getEntityLabelSelector(entity);
  if (!selectorText) {
    throw new InputError(
      `entity ${entityRef} has no backstage.io/kubernetes-id or backstage.io/kubernetes-label-selector annotation; add one so its ${objects} can be found`,
    );
  }
  let selector: LabelSelector;
  try {
    selector = parseLabelSelector(selectorText);
  } catch (error) {
    throw new InputError(
      `entity ${entityRef} has an invalid label selector in its annotations (${JSON.stringify(
        selectorText,
      )}): ${(error as Error).message}`,
    );
  }
  const annotations = entity.metadata.annotations ?? {};
  return {
    entityRef,
    cluster: annotations[KUBERNETES_CLUSTER_ANNOTATION] || undefined,
    namespace: annotations[KUBERNETES_NAMESPACE_ANNOTATION] || undefined,
    selector,
    selectorText,
  };
}

/** Whether an object on a cluster belongs to the entity's scope. @public */
export function isInScope(
  scope: EntityScope,
  cluster: string,
  object: {
    metadata: { namespace?: string; labels?: Record<string, string> };
  },
): boolean {
  return (
    (!scope.cluster || scope.cluster === cluster) &&
    (!scope.namespace || scope.namespace === object.metadata.namespace) &&
    matchesLabelSelector(scope.selector, object.metadata.labels)
  );
}

/** The entity scopes a list covers, in the order objects are attributed to them. @public */
export function sortScopes(scopes: readonly EntityScope[]): EntityScope[] {
  return [...scopes].sort((a, b) =>
    a.entityRef < b.entityRef ? -1 : Number(a.entityRef > b.entityRef),
  );
}

/**
 * Finds which of many entity scopes an object belongs to, without trying
 * each: scopes are indexed by a label value their selector requires (e.g.
 * `backstage.io/kubernetes-id=shop`), so an object is checked only against the
 * scopes its own labels name, plus those whose selector has no such value.
 * An object in several scopes belongs to the first by entity ref, as in
 * {@link sortScopes}.
 * @public
 */
export class EntityScopeMatcher {
  private readonly byLabel = new Map<
    string,
    Map<string, Array<{ order: number; scope: EntityScope }>>
  >();
  private readonly unindexed: Array<{ order: number; scope: EntityScope }> = [];

  constructor(scopes: readonly EntityScope[]) {
    sortScopes(scopes).forEach((scope, order) => {
      const entry = { order, scope };
      const required = scope.selector.find(
        r => r.operator === 'in' && r.values.length === 1,
      );
      if (!required || required.operator !== 'in') {
        this.unindexed.push(entry);
        return;
      }
      let values = this.byLabel.get(required.key);
      if (!values) {
        values = new Map();
        this.byLabel.set(required.key, values);
      }
      const value = required.values[0];
      values.set(value, [...(values.get(value) ?? []), entry]);
    });
  }

  /** The scope the object belongs to, if any. */
  match(
    cluster: string,
    object: {
      metadata: { namespace?: string; labels?: Record<string, string> };
    },
  ): EntityScope | undefined {
    let best: { order: number; scope: EntityScope } | undefined;
    const consider = (entry: { order: number; scope: EntityScope }) => {
      if (
        (!best || entry.order < best.order) &&
        isInScope(entry.scope, cluster, object)
      ) {
        best = entry;
      }
    };
    for (const [key, value] of Object.entries(object.metadata.labels ?? {})) {
      this.byLabel.get(key)?.get(value)?.forEach(consider);
    }
    this.unindexed.forEach(consider);
    return best?.scope;
  }
}
