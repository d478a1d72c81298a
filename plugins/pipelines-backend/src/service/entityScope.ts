import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  getEntityLabelSelector,
  KUBERNETES_CLUSTER_ANNOTATION,
  KUBERNETES_NAMESPACE_ANNOTATION,
} from '@cairn/plugin-pipelines-common';
import {
  LabelSelector,
  matchesLabelSelector,
  parseLabelSelector,
} from '../watch/labelSelector';

/**
 * Where an entity's Tekton objects are, from its `backstage.io/kubernetes-*`
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

/** The scope of an entity; an InputError saying which annotation to add or fix. @public */
export function getEntityScope(entity: Entity): EntityScope {
  const entityRef = stringifyEntityRef(entity);
  const selectorText = getEntityLabelSelector(entity);
  if (!selectorText) {
    throw new InputError(
      `entity ${entityRef} has no backstage.io/kubernetes-id or backstage.io/kubernetes-label-selector annotation; add one so its pipeline runs can be found`,
    );
  }
  let selector: LabelSelector;
  try {
    selector = parseLabelSelector(selectorText);
  } catch (error) {
    throw new InputError(
      `entity ${entityRef} has an invalid label selector in its annotations: ${
        (error as Error).message
      }`,
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
