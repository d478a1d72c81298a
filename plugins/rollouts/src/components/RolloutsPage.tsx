import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { Box } from '@material-ui/core';
import {
  Content,
  EmptyState,
  Header,
  Page,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { StoneSummary } from '@cairn/plugin-rollouts-common';
import { rolloutsApiRef } from '../api';
import {
  ClusterErrors,
  useRefreshWhileStale,
} from '@cairn/plugin-kubernetes-react';
import { StoneView } from './StoneView';

const columns: TableColumn<StoneSummary>[] = [
  { title: 'Stone', field: 'name' },
  { title: 'Entity', field: 'entityRef' },
  { title: 'Cluster', field: 'cluster' },
  { title: 'Namespace', field: 'namespace' },
  {
    title: 'Stage',
    render: s => `${s.strategy}${s.stageComplete ? ' (complete)' : ''}`,
  },
  {
    title: 'Pods',
    render: s =>
      `${s.readyReplicas}/${s.desiredReplicas} ready, ${s.updatedReplicas} updated`,
  },
  {
    title: 'State',
    render: s =>
      [s.degraded && `Degraded: ${s.degradedReason}`, s.paused && 'paused']
        .filter(Boolean)
        .join(', ') || 'ok',
  },
];

/** Stones of every entity the user may read, across the clusters; pick one to see it in full. */
export function RolloutsPage() {
  const api = useApi(rolloutsApiRef);
  const list = useAsyncRetry(() => api.listStones(), [api]);
  useRefreshWhileStale(list.value?.clusterErrors, list.retry);
  const [selected, setSelected] = useState<StoneSummary>();
  let body;
  if (list.loading && !list.value) body = <Progress />;
  else if (list.error && !list.value)
    body = <ResponseErrorPanel error={list.error} />;
  else {
    const value = list.value!;
    body = (
      <>
        <ClusterErrors errors={value.clusterErrors} what="Stones" />
        {value.items.length === 0 ? (
          <EmptyState
            missing="data"
            title="No Stones"
            description="No Stone belongs to an entity you may see in the configured clusters."
          />
        ) : (
          <Table<StoneSummary>
            title="Stones"
            options={{ paging: value.items.length > 20, pageSize: 20 }}
            columns={columns}
            data={value.items}
            onRowClick={(_, row) => setSelected(row)}
          />
        )}
        {selected && (
          <Box mt={3}>
            <StoneView
              key={`${selected.cluster}/${selected.namespace}/${selected.name}`}
              stone={selected}
            />
          </Box>
        )}
      </>
    );
  }
  return (
    <Page themeId="tool">
      <Header
        title="Rollouts"
        subtitle="Stones across clusters: stages, approvals and topology"
      />
      <Content>{body}</Content>
    </Page>
  );
}
