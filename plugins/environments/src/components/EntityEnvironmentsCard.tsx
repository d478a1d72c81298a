import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { Box, Chip, Typography } from '@material-ui/core';
import {
  EmptyState,
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { KUBERNETES_NAMESPACE_ANNOTATION } from '@cairn/plugin-kubernetes-common';
import {
  ENVIRONMENTS_SIGNAL_CHANNEL,
  EnvironmentsChangedSignal,
  EnvironmentSummary,
} from '@cairn/plugin-environments-common';
import {
  ClusterErrors,
  useSignalVersion,
} from '@cairn/plugin-kubernetes-react';
import { environmentsApiRef } from '../api';
import { rootRouteRef } from '../routes';
import { environmentQuery } from './links';
import { describePlacement, describeStatus, roleOf } from './format';
import { QuotaUsage } from './QuotaUsage';
import { RequestEnvironmentButton, RequestQuotaButton } from './RequestDialogs';

/**
 * The environments of the entity: on a group's page those it owns or is a
 * tenant of (with its role), on a service's page the one its
 * `backstage.io/kubernetes-namespace` names. Each with its placement,
 * nodes and usage against quota.
 */
export function EntityEnvironmentsCard() {
  const { entity } = useEntity();
  const api = useApi(environmentsApiRef);
  const isGroup = entity.kind.toLocaleLowerCase('en-US') === 'group';
  const entityRef = stringifyEntityRef(entity);
  const namespace =
    entity.metadata.annotations?.[KUBERNETES_NAMESPACE_ANNOTATION];
  // Read again when the backend signals a changed environment (one may
  // have become the group's, or its usage changed).
  const version = useSignalVersion<EnvironmentsChangedSignal>(
    ENVIRONMENTS_SIGNAL_CHANNEL,
    s => s.environments.length > 0,
  );
  const list = useAsyncRetry(async () => {
    const result = await api.listEnvironments(
      isGroup ? { group: entityRef } : {},
    );
    return isGroup
      ? result
      : {
          ...result,
          items: result.items.filter(e => e.spec.namespace === namespace),
        };
  }, [api, entityRef, isGroup, namespace, version]);

  let body;
  if (list.loading && !list.value) body = <Progress />;
  else if (list.error) body = <ResponseErrorPanel error={list.error} />;
  else if (list.value!.items.length === 0) {
    body = (
      <EmptyState
        missing="data"
        title="No environments"
        description={
          isGroup
            ? 'This group owns no environment and is no tenant of one.'
            : `No environment you may see is namespace ${
                namespace ?? '(none set)'
              }.`
        }
      />
    );
  } else {
    body = (
      <>
        <ClusterErrors errors={list.value!.clusterErrors} what="environments" />
        {list.value!.items.map(e => (
          <EnvironmentEntry
            key={`${e.cluster}/${e.name}`}
            environment={e}
            role={isGroup ? roleOf(e, entityRef) : undefined}
          />
        ))}
      </>
    );
  }
  return (
    <InfoCard
      title="Environments"
      action={isGroup && <RequestEnvironmentButton group={entityRef} />}
    >
      {body}
    </InfoCard>
  );
}

function EnvironmentEntry(props: {
  environment: EnvironmentSummary;
  role?: string;
}) {
  const { environment: e, role } = props;
  const page = useRouteRef(rootRouteRef);
  return (
    <Box mb={3} aria-label={`environment ${e.name}`} component="section">
      <Box display="flex" alignItems="center" gridGap={8}>
        <Typography variant="h6">
          <Link to={`${page()}${environmentQuery(e)}`}>{e.name}</Link>
        </Typography>
        <Chip size="small" label={describeStatus(e)} />
        {role && <Chip size="small" variant="outlined" label={role} />}
        <RequestQuotaButton environment={e} />
      </Box>
      <Typography variant="body2">
        Namespace {e.spec.namespace} on cluster {e.cluster}; placement{' '}
        {describePlacement(e.spec.placement)} ({e.nodes.length} nodes)
      </Typography>
      <Box mt={1}>
        <QuotaUsage hard={e.quota.hard} used={e.quota.used} />
      </Box>
    </Box>
  );
}
