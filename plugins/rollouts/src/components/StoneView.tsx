import { useCallback, useEffect, useState } from 'react';
import { Box, Chip, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  ROLLOUTS_SIGNAL_CHANNEL,
  StoneChangedSignal,
  StoneDetail,
  StoneRef,
} from '@cairn/plugin-rollouts-common';
import { EntityStoneRef, rolloutsApiRef } from '../api';
import { StoneActions, StoneChange, errorMessage, isConflict } from './actions';
import {
  ClusterErrors,
  useAsyncLatest,
  useRefreshWhileStale,
  useSignalVersion,
} from '@cairn/plugin-kubernetes-react';
import { StageStepper } from './StageStepper';
import { StoneTopologyView } from './StoneTopologyView';

export const CONFLICT_NOTICE =
  'Someone changed this Stone; showing the latest.';

const sameStone = (a: StoneRef, b: StoneRef) =>
  a.cluster === b.cluster && a.namespace === b.namespace && a.name === b.name;

/**
 * One Stone: its stages, actions and topology. It refetches when the
 * backend signals a change of it (no polling; a signal during a refetch
 * refetches again, see useSignalVersion), and after a 409 (someone changed
 * it meanwhile) it shows the latest and says so.
 */
export function StoneView(props: { stone: EntityStoneRef }) {
  const { cluster, namespace, name, entityRef } = props.stone;
  const api = useApi(rolloutsApiRef);
  const [detail, setDetail] = useState<StoneDetail>();
  const [notice, setNotice] = useState<string>();
  const changes = useSignalVersion<StoneChangedSignal>(
    ROLLOUTS_SIGNAL_CHANNEL,
    signal => sameStone(signal, { cluster, namespace, name }),
  );
  const load = useAsyncLatest(
    () => api.getStone({ cluster, namespace, name, entityRef }),
    [api, cluster, namespace, name, entityRef, changes],
  );
  const { retry } = load;
  // The last detail stays on screen while a refresh loads or fails.
  useEffect(() => {
    if (load.value) setDetail(load.value);
  }, [load.value]);
  useRefreshWhileStale(detail?.clusterErrors, retry);

  const change = useCallback(
    async (request: StoneChange) => {
      if (!detail) return;
      try {
        const { resourceVersion, generation } = detail.summary;
        await request(api, { resourceVersion, generation });
        setNotice(undefined);
        retry();
      } catch (e) {
        if (!isConflict(e)) throw e;
        setNotice(`${CONFLICT_NOTICE} ${errorMessage(e)}`);
        retry();
      }
    },
    [api, detail, retry],
  );

  if (!detail) {
    if (load.error) return <ResponseErrorPanel error={load.error} />;
    return <Progress />;
  }
  const { summary } = detail;
  return (
    <InfoCard
      title={summary.name}
      subheader={`${summary.cluster} / ${summary.namespace} · ${summary.entityRef}`}
    >
      {notice && (
        <Box mb={2}>
          <Alert
            severity="info"
            role="status"
            onClose={() => setNotice(undefined)}
          >
            {notice}
          </Alert>
        </Box>
      )}
      {load.error && (
        <Box mb={2}>
          <Alert severity="warning">
            Could not refresh this Stone: {errorMessage(load.error)}
          </Alert>
        </Box>
      )}
      <ClusterErrors errors={detail.clusterErrors} what="Stones" />
      <Box display="flex" flexWrap="wrap" gridGap={8} mb={1}>
        <Chip size="small" label={`stage ${summary.strategy}`} />
        <Chip
          size="small"
          label={`${summary.readyReplicas}/${summary.desiredReplicas} ready · ${summary.updatedReplicas} updated`}
        />
        {summary.paused && (
          <Chip
            size="small"
            color="secondary"
            label={`paused${
              summary.pausedReason ? `: ${summary.pausedReason}` : ''
            }`}
          />
        )}
        {summary.degraded && (
          <Chip
            size="small"
            color="secondary"
            label={`Degraded: ${summary.degradedReason}`}
          />
        )}
      </Box>
      {summary.degraded && summary.degradedMessage && (
        <Alert severity="error">{summary.degradedMessage}</Alert>
      )}
      <Typography variant="body2" color="textSecondary">
        {summary.currentRevision
          ? `current ${summary.currentRevision}`
          : 'first release'}{' '}
        → update {summary.updateRevision ?? 'unknown'}
      </Typography>
      <StageStepper detail={detail} />
      <StoneActions detail={detail} change={change} />
      <Box mt={2}>
        <StoneTopologyView detail={detail} />
      </Box>
    </InfoCard>
  );
}
