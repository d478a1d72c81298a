import { useEffect, useRef } from 'react';
import { Box } from '@material-ui/core';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useSignal } from '@backstage/plugin-signals-react';
import {
  ROLLOUTS_SIGNAL_CHANNEL,
  StoneChangedSignal,
} from '@cairn/plugin-rollouts-common';
import { rolloutsApiRef } from '../api';
import {
  ClusterErrors,
  useAsyncLatest,
  useRefreshWhileStale,
} from '@cairn/plugin-kubernetes-react';
import { StoneView } from './StoneView';

/** An entity's Stones in every configured cluster, each in full. */
export function StonesList(props: { entityRef: string }) {
  const { entityRef } = props;
  const api = useApi(rolloutsApiRef);
  const list = useAsyncLatest(
    () => api.listStones({ entityRef }),
    [api, entityRef],
  );
  const { retry } = list;
  const { lastSignal } = useSignal<StoneChangedSignal & Record<string, any>>(
    ROLLOUTS_SIGNAL_CHANNEL,
  );
  // Read, not a dependency: each signal is judged once, on the list shown
  // when it came (a refetch that still lacks the Stone does not loop).
  const items = useRef(list.value?.items);
  items.current = list.value?.items;
  useEffect(() => {
    // A Stone of the entity that the list does not show yet (created, or
    // its cluster came back); the shown ones refetch themselves.
    if (
      lastSignal?.entityRef === entityRef &&
      items.current &&
      !items.current.some(
        s =>
          s.cluster === lastSignal.cluster &&
          s.namespace === lastSignal.namespace &&
          s.name === lastSignal.name,
      )
    ) {
      retry();
    }
  }, [lastSignal, entityRef, retry]);
  useRefreshWhileStale(list.value?.clusterErrors, retry);

  if (list.loading && !list.value) return <Progress />;
  if (list.error && !list.value)
    return <ResponseErrorPanel error={list.error} />;
  const value = list.value!;
  return (
    <>
      <ClusterErrors errors={value.clusterErrors} what="Stones" />
      {value.items.length === 0 ? (
        <EmptyState
          missing="data"
          title="No Stones"
          description={`No Stone in the configured clusters carries the labels of ${entityRef} (its backstage.io/kubernetes-id or kubernetes-label-selector).`}
        />
      ) : (
        value.items.map(stone => (
          <Box mb={3} key={`${stone.cluster}/${stone.namespace}/${stone.name}`}>
            <StoneView stone={stone} />
          </Box>
        ))
      )}
    </>
  );
}
