import { stringifyEntityRef } from '@backstage/catalog-model';
import { EmptyState } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  isPipelinesAvailable,
  PIPELINES_ANNOTATION,
} from '@cairn/plugin-pipelines-common';
import { getEntityLabelSelector } from '@cairn/plugin-kubernetes-common';
import { PipelinesRouter } from './PipelinesRouter';

/** The CI/CD tab: the entity's pipeline runs and their details. */
export function EntityPipelinesContent() {
  const { entity } = useEntity();
  if (!isPipelinesAvailable(entity)) {
    return (
      <EmptyState
        missing="field"
        title="Pipelines are not enabled for this entity"
        description={`Add the annotations ${PIPELINES_ANNOTATION}: "true" and backstage.io/kubernetes-id (or backstage.io/kubernetes-label-selector) to its catalog-info.yaml, and put the matching label on its Tekton Pipelines.`}
      />
    );
  }
  return (
    <PipelinesRouter
      entityRef={stringifyEntityRef(entity)}
      selectorHint={getEntityLabelSelector(entity)}
    />
  );
}
