import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { Box, Button, MenuItem, Tab, Tabs, TextField } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import {
  Content,
  ContentHeader,
  EmptyState,
  Header,
  Page,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi, useApiHolder } from '@backstage/core-plugin-api';
import { signalApiRef } from '@backstage/plugin-signals-react';
import {
  ENVIRONMENTS_SIGNAL_CHANNEL,
  EnvironmentsChangedSignal,
  EnvironmentSummary,
} from '@cairn/plugin-environments-common';
import {
  ClusterErrors,
  useRefreshWhileStale,
  useSignalVersion,
} from '@cairn/plugin-kubernetes-react';
import { environmentsApiRef } from '../api';
import { EnvironmentDetails } from './EnvironmentDetails';
import { EnvironmentForm } from './EnvironmentForm';
import { describePlacement, describeStatus } from './format';
import { NodesView } from './NodesView';
import { ENVIRONMENT_PARAM, REQUEST_PARAM } from './links';
import { RequestsView } from './RequestsView';

const columns: TableColumn<EnvironmentSummary>[] = [
  { title: 'Environment', field: 'name' },
  { title: 'Cluster', field: 'cluster' },
  { title: 'Namespace', render: e => e.spec.namespace },
  { title: 'Owner', render: e => e.spec.owner },
  { title: 'Placement', render: e => describePlacement(e.spec.placement) },
  { title: 'Nodes', render: e => e.nodes.length },
  { title: 'Status', render: describeStatus },
];

/** Without Signals: how often the list is read again while an environment is not Ready yet. */
const SETTLING_REFRESH_MS = 3000;
/**
 * How often the list is read again otherwise, for usage against quota;
 * with Signals too, in case one was missed while the connection was down.
 */
const USAGE_REFRESH_MS = 30_000;

type Editing = { environment?: EnvironmentSummary } | undefined;

/**
 * Environments across the clusters: ops create, edit and delete them and
 * label nodes; everyone else sees the environments of their groups.
 */
export function EnvironmentsPage() {
  const api = useApi(environmentsApiRef);
  const [cluster, setCluster] = useState<string>();
  // The environment shown, `<cluster>/<name>`, in the URL so pages can link to it.
  const [searchParams, setSearchParams] = useSearchParams();
  // A request's link (its notification) opens the Requests tab.
  const [tab, setTab] = useState(searchParams.has(REQUEST_PARAM) ? 2 : 0);
  const selected = searchParams.get(ENVIRONMENT_PARAM) ?? undefined;
  const setSelected = (value?: string) =>
    setSearchParams(value ? { [ENVIRONMENT_PARAM]: value } : {}, {
      replace: true,
    });
  const [editing, setEditing] = useState<Editing>();
  const [actionError, setActionError] = useState<string>();

  const clusters = useAsyncRetry(() => api.listClusters(), [api]);
  const currentCluster = cluster ?? clusters.value?.clusters[0];
  // The list (and the details shown from it) and the Nodes tab are read
  // again when the backend signals a change of what they show.
  const listVersion = useSignalVersion<EnvironmentsChangedSignal>(
    ENVIRONMENTS_SIGNAL_CHANNEL,
    s => s.environments.length > 0,
  );
  const topologyVersion = useSignalVersion<EnvironmentsChangedSignal>(
    ENVIRONMENTS_SIGNAL_CHANNEL,
    s => s.cluster === currentCluster,
  );
  const live = Boolean(useApiHolder().get(signalApiRef));
  const list = useAsyncRetry(() => api.listEnvironments(), [api, listVersion]);
  useRefreshWhileStale(list.value?.clusterErrors, list.retry);
  // Without Signals, often until the operator has made every environment
  // Ready (or removed it); else now and again (the backend answers from
  // its watches).
  const settling = list.value?.items.some(e => !e.ready || e.deleting);
  useInterval(
    list.retry,
    settling && !live ? SETTLING_REFRESH_MS : USAGE_REFRESH_MS,
  );
  const topology = useAsyncRetry(
    async () => (currentCluster ? api.getTopology(currentCluster) : undefined),
    [api, currentCluster, topologyVersion],
  );
  const refresh = () => {
    list.retry();
    topology.retry();
  };

  if ((list.loading && !list.value) || (clusters.loading && !clusters.value)) {
    return wrap(<Progress />);
  }
  if (list.error && !list.value) {
    return wrap(<ResponseErrorPanel error={list.error} />);
  }
  if (clusters.error) {
    return wrap(<ResponseErrorPanel error={clusters.error} />);
  }
  const { items, canManage, clusterErrors } = list.value!;
  const clusterNames = clusters.value!.clusters;
  const chosen = items.find(e => `${e.cluster}/${e.name}` === selected);

  const remove = async (environment: EnvironmentSummary) => {
    // eslint-disable-next-line no-alert
    if (!window.confirm(`Delete environment ${environment.name}?`)) return;
    try {
      await api.deleteEnvironment(environment);
      setSelected(undefined);
      refresh();
    } catch (error) {
      setActionError((error as Error).message);
    }
  };

  return wrap(
    <>
      <ContentHeader title="">
        {clusterNames.length > 1 && (
          <TextField
            select
            label="Cluster"
            value={currentCluster ?? ''}
            onChange={e => setCluster(e.target.value as string)}
          >
            {clusterNames.map(c => (
              <MenuItem key={c} value={c}>
                {c}
              </MenuItem>
            ))}
          </TextField>
        )}
        {canManage && (
          <Box ml={2}>
            <Button
              variant="contained"
              color="primary"
              onClick={() => setEditing({})}
            >
              Create environment
            </Button>
          </Box>
        )}
      </ContentHeader>
      <Tabs value={tab} onChange={(_, value) => setTab(value)}>
        <Tab label="Environments" />
        <Tab label="Nodes" />
        <Tab label="Requests" />
      </Tabs>
      <Box mt={2}>
        <ClusterErrors errors={clusterErrors} what="environments" />
        {actionError && (
          <Alert severity="error" onClose={() => setActionError(undefined)}>
            {actionError}
          </Alert>
        )}
        {tab === 0 && (
          <>
            {items.length === 0 ? (
              <EmptyState
                missing="data"
                title="No environments"
                description={
                  canManage
                    ? 'No environment yet: create one to hand a namespace, nodes and a quota to a team.'
                    : 'None of your groups owns or is a tenant of an environment.'
                }
              />
            ) : (
              <Table<EnvironmentSummary>
                title="Environments"
                options={{ paging: items.length > 20, pageSize: 20 }}
                columns={columns}
                data={items}
                onRowClick={(_, row) =>
                  row && setSelected(`${row.cluster}/${row.name}`)
                }
              />
            )}
            {chosen && (
              <Box mt={3}>
                <EnvironmentDetails
                  environment={chosen}
                  topology={
                    topology.value?.cluster === chosen.cluster
                      ? topology.value
                      : undefined
                  }
                  onEdit={
                    canManage
                      ? () => setEditing({ environment: chosen })
                      : undefined
                  }
                  onDelete={canManage ? () => remove(chosen) : undefined}
                />
              </Box>
            )}
          </>
        )}
        {tab === 2 && (
          <RequestsView
            selected={searchParams.get(REQUEST_PARAM) ?? undefined}
            onDecided={refresh}
          />
        )}
        {tab === 1 && (
          <>
            {topology.loading && !topology.value && <Progress />}
            {topology.error && <ResponseErrorPanel error={topology.error} />}
            {topology.value && (
              <NodesView topology={topology.value} onChanged={refresh} />
            )}
          </>
        )}
      </Box>
      {editing && (
        <EnvironmentForm
          clusters={
            currentCluster
              ? [
                  currentCluster,
                  ...clusterNames.filter(c => c !== currentCluster),
                ]
              : clusterNames
          }
          environment={editing.environment}
          onClose={() => setEditing(undefined)}
          onSaved={saved => {
            setEditing(undefined);
            setSelected(`${saved.cluster}/${saved.name}`);
            refresh();
          }}
        />
      )}
    </>,
  );
}

function wrap(body: JSX.Element) {
  return (
    <Page themeId="tool">
      <Header
        title="Environments"
        subtitle="Namespaces bound to nodes, storage classes and quotas, handed to teams"
      />
      <Content>{body}</Content>
    </Page>
  );
}
