import { useRef } from 'react';
import { Box } from '@material-ui/core';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  ROLLOUTS_SIGNAL_CHANNEL,
  StoneChangedSignal,
  StoneSummary,
} from '@cairn/plugin-rollouts-common';
import { rolloutsApiRef } from '../api';
import {
  ClusterErrors,
  useAsyncLatest,
  useRefreshWhileStale,
  useSignalVersion,
} from '@cairn/plugin-kubernetes-react';
import { StoneView } from './StoneView';

/** An entity's Stones in every configured cluster, each in full. */
export function StonesList(props: { entityRef: string }) {
  const { entityRef } = props;
  const api = useApi(rolloutsApiRef);
  // The Stones on screen when a signal comes (set once loaded). Each
  // signal is judged on them once, so a refetch that still lacks its
  // Stone does not loop.
  const shown = useRef<StoneSummary[]>();
  // A Stone of the entity that is not on screen (created, its cluster
  // back, or the first load still under way); the shown ones refetch
  // themselves.
  const changes = useSignalVersion<StoneChangedSignal>(
    ROLLOUTS_SIGNAL_CHANNEL,
    signal =>
      signal.entityRef === entityRef &&
      !shown.current?.some(
        s =>
          s.cluster === signal.cluster &&
          s.namespace === signal.namespace &&
          s.name === signal.name,
      ),
  );
  const list = useAsyncLatest(
    () => api.listStones({ entityRef }),
    [api, entityRef, changes],
  );
  shown.current = list.value?.items;
  const { retry } = list;
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
