import { stringifyEntityRef } from '@backstage/catalog-model';
import { EmptyState } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { isRolloutsAvailable } from '../isRolloutsAvailable';
import { StonesList } from './StonesList';

/** The Rollouts tab: the entity's Stones. */
export function EntityRolloutsContent() {
  const { entity } = useEntity();
  if (!isRolloutsAvailable(entity)) {
    return (
      <EmptyState
        missing="field"
        title="Rollouts are not enabled for this entity"
        description="Add the annotation backstage.io/kubernetes-id (or backstage.io/kubernetes-label-selector) to its catalog-info.yaml, and put the matching label on its Stones."
      />
    );
  }
  return <StonesList entityRef={stringifyEntityRef(entity)} />;
}
