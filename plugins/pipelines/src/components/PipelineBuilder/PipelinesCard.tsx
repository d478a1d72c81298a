import {
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import { catalogApiRef, EntityRefLink } from '@backstage/plugin-catalog-react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  List,
  ListItem,
  ListItemText,
  Typography,
} from '@material-ui/core';
import {
  isPipelinesAvailable,
  PIPELINES_ANNOTATION,
  pipelinesPipelineUpdatePermission,
  TEKTON_CICD_ANNOTATION,
} from '@cairn/plugin-pipelines-common';
import { useState } from 'react';
import { Link as RouterLink, useNavigate } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { pipelinesApiRef, PipelineSummary } from '../../api';
import { StartRunButton } from '../actions';
import {
  ClusterErrors,
  useRefreshWhileStale,
} from '@cairn/plugin-kubernetes-react';
import {
  useOptionalPipelinesEntityRef,
  useRunPaths,
} from '../EntityRefContext';

type Row = PipelineSummary & { id: string };

/** Edit, shown when the user may edit the pipeline's entity's pipelines (the server checks again). */
function EditButton(props: { pipeline: PipelineSummary }) {
  const paths = useRunPaths();
  const { loading, allowed } = usePermission({
    permission: pipelinesPipelineUpdatePermission,
    resourceRef: props.pipeline.entityRef,
  });
  if (loading || !allowed) return null;
  return (
    <Button
      size="small"
      component={RouterLink}
      to={paths.pipeline(props.pipeline, props.pipeline.entityRef)}
      aria-label={`Edit ${props.pipeline.name}`}
    >
      Edit
    </Button>
  );
}

/** "New pipeline", when the user may create the entity's pipelines. */
function NewPipelineButton(props: { entityRef: string }) {
  const paths = useRunPaths();
  const { loading, allowed } = usePermission({
    permission: pipelinesPipelineUpdatePermission,
    resourceRef: props.entityRef,
  });
  if (loading || !allowed) return null;
  return (
    <Button
      variant="contained"
      color="primary"
      size="small"
      component={RouterLink}
      to={paths.newPipeline()}
    >
      New pipeline
    </Button>
  );
}

/** On the Pipelines page: chooses the entity a new pipeline belongs to, then opens the builder. */
function EntityChooser(props: { onClose: () => void }) {
  const catalogApi = useApi(catalogApiRef);
  const paths = useRunPaths();
  const navigate = useNavigate();
  const { value, loading, error } = useAsync(async () => {
    const response = await catalogApi.getEntities({
      filter: [
        { [`metadata.annotations.${PIPELINES_ANNOTATION}`]: 'true' },
        { [`metadata.annotations.${TEKTON_CICD_ANNOTATION}`]: 'true' },
      ],
    });
    return response.items
      .filter(isPipelinesAvailable)
      .map(e => stringifyEntityRef(e))
      .sort();
  }, [catalogApi]);
  return (
    <Dialog open onClose={props.onClose} fullWidth>
      <DialogTitle>New pipeline of which entity?</DialogTitle>
      <DialogContent>
        {error && <ResponseErrorPanel error={error} />}
        {loading && <Typography>Loading the entities…</Typography>}
        {value && value.length === 0 && (
          <Typography>
            No entity uses Pipelines: annotate one with {PIPELINES_ANNOTATION}:
            "true" and backstage.io/kubernetes-id first.
          </Typography>
        )}
        <List>
          {(value ?? []).map(ref => (
            <ListItem
              key={ref}
              button
              onClick={() => navigate(paths.newPipeline(ref))}
            >
              <ListItemText primary={ref} />
            </ListItem>
          ))}
        </List>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
      </DialogActions>
    </Dialog>
  );
}

/**
 * The pipelines (definitions) of the entity, or of every entity on the
 * Pipelines page, with Run and Edit, and "New pipeline" on an entity.
 */
export function PipelinesCard() {
  const api = useApi(pipelinesApiRef);
  const entityRef = useOptionalPipelinesEntityRef();
  const [choosing, setChoosing] = useState(false);
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.listPipelines(entityRef),
    [api, entityRef],
  );
  useRefreshWhileStale(value?.clusterErrors, retry);
  if (error) return <ResponseErrorPanel error={error} />;
  const columns: TableColumn<Row>[] = [
    {
      title: 'Pipeline',
      render: row => (
        <>
          <Typography variant="body2">{row.displayName ?? row.name}</Typography>
          {row.displayName && row.displayName !== row.name && (
            // The name kubectl and the runs table use.
            <Typography variant="caption" component="div">
              <code>{row.name}</code>
            </Typography>
          )}
          {row.description && (
            <Typography variant="caption" color="textSecondary">
              {row.description}
            </Typography>
          )}
        </>
      ),
    },
    ...(entityRef
      ? []
      : [
          {
            title: 'Entity',
            render: (row: Row) => <EntityRefLink entityRef={row.entityRef} />,
          } as TableColumn<Row>,
        ]),
    { title: 'Namespace', render: row => `${row.namespace} (${row.cluster})` },
    { title: 'Tasks', render: row => String(row.graph.nodes.length) },
    {
      title: '',
      align: 'right',
      render: row => (
        <Box display="flex" justifyContent="flex-end" style={{ gap: 8 }}>
          <StartRunButton pipeline={row} label="Run" />
          <EditButton pipeline={row} />
        </Box>
      ),
    },
  ];
  return (
    <Box mb={2}>
      <Box display="flex" justifyContent="flex-end" mb={1}>
        {entityRef ? (
          <NewPipelineButton entityRef={entityRef} />
        ) : (
          <Button
            variant="contained"
            color="primary"
            size="small"
            onClick={() => setChoosing(true)}
          >
            New pipeline
          </Button>
        )}
      </Box>
      {choosing && <EntityChooser onClose={() => setChoosing(false)} />}
      <ClusterErrors errors={value?.clusterErrors} what="Pipelines" />
      <Table<Row>
        title="Pipelines"
        isLoading={loading && !value}
        columns={columns}
        data={(value?.items ?? []).map(p => ({
          ...p,
          id: `${p.cluster}/${p.namespace}/${p.name}`,
        }))}
        options={{
          paging: (value?.items.length ?? 0) > 10,
          pageSize: 10,
          search: false,
          padding: 'dense',
        }}
        emptyContent={
          <Box p={2}>
            <Typography variant="body2">
              No pipelines yet. Create one with "New pipeline".
            </Typography>
          </Box>
        }
      />
    </Box>
  );
}
