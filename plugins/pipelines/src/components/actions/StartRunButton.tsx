import { useState } from 'react';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
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
import { pipelinesRunCreatePermission } from '@cairn/plugin-pipelines-common';
import { useNavigate } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { pipelinesApiRef, PipelineSummary, RunRef } from '../../api';
import {
  useOptionalPipelinesEntityRef,
  useRunPaths,
} from '../EntityRefContext';
import { StartRunDialog } from './StartRunDialog';
import {
  ClusterErrors,
  useRefreshWhileStale,
} from '@cairn/plugin-kubernetes-react';

function samePipeline(a: RunRef, b: RunRef) {
  return (
    a.cluster === b.cluster && a.namespace === b.namespace && a.name === b.name
  );
}

/**
 * The start dialog: lists the pipelines to choose from, or goes straight to
 * the start form of the one given (e.g. after the builder saved it).
 */
export function PipelineChooser(props: {
  pipeline?: RunRef;
  onClose: () => void;
}) {
  const api = useApi(pipelinesApiRef);
  const entityRef = useOptionalPipelinesEntityRef();
  const paths = useRunPaths();
  const navigate = useNavigate();
  const { value, error, retry } = useAsyncRetry(
    () => api.listPipelines(entityRef),
    [api, entityRef],
  );
  const [chosen, setChosen] = useState<PipelineSummary>();
  const preselected =
    props.pipeline && value?.items.find(p => samePipeline(p, props.pipeline!));
  const pipeline = chosen ?? preselected;
  // Only while choosing: a refresh must not touch the start form once open.
  useRefreshWhileStale(pipeline ? undefined : value?.clusterErrors, retry);

  if (pipeline) {
    return (
      <StartRunDialog
        open
        title={`Start ${pipeline.displayName ?? pipeline.name}`}
        submitLabel="Start"
        fields={pipeline.params}
        workspaces={pipeline.workspaces}
        withRunOptions
        serviceAccounts={pipeline.serviceAccounts}
        header={
          pipeline.description && (
            <Typography variant="body2" paragraph>
              {pipeline.description}
            </Typography>
          )
        }
        onClose={props.onClose}
        onSubmit={async values => {
          const created = await api.startRun(pipeline.entityRef, {
            cluster: pipeline.cluster,
            namespace: pipeline.namespace,
            pipeline: pipeline.name,
            ...values,
          });
          props.onClose();
          navigate(paths.run(created, pipeline.entityRef));
        }}
      />
    );
  }
  let body;
  if (error) body = <ResponseErrorPanel error={error} />;
  else if (!value) body = <Progress />;
  else if (props.pipeline) {
    body = (
      <Typography>
        Pipeline {props.pipeline.name} is not among this entity's pipelines
        (deleted, or no longer labelled for it).
      </Typography>
    );
  } else if (value.items.length === 0) {
    body = (
      <Typography>
        {entityRef
          ? "This entity has no pipelines: label a Tekton Pipeline with the entity's label to start it from here."
          : 'No entity whose runs you may read has pipelines: label a Tekton Pipeline with its entity’s label to start it from here.'}
      </Typography>
    );
  } else {
    body = (
      <List>
        {value.items.map(p => (
          <StartablePipeline
            key={`${p.cluster}/${p.namespace}/${p.name}`}
            pipeline={p}
            showEntity={!entityRef}
            onChoose={() => setChosen(p)}
          />
        ))}
      </List>
    );
  }
  return (
    <Dialog open onClose={props.onClose} fullWidth>
      <DialogTitle>Start a pipeline</DialogTitle>
      <DialogContent>
        <ClusterErrors errors={value?.clusterErrors} what="Pipelines" />
        {body}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}

/** A pipeline of the chooser, left out when the user may not start runs of its entity. */
function StartablePipeline(props: {
  pipeline: PipelineSummary;
  showEntity: boolean;
  onChoose: () => void;
}) {
  const { pipeline: p } = props;
  const { allowed } = usePermission({
    permission: pipelinesRunCreatePermission,
    resourceRef: p.entityRef,
  });
  if (!allowed) return null;
  return (
    <ListItem button onClick={props.onChoose}>
      <ListItemText
        primary={p.displayName ?? p.name}
        secondary={`${props.showEntity ? `${p.entityRef} · ` : ''}${
          p.namespace
        } (${p.cluster})${p.description ? ` — ${p.description}` : ''}`}
      />
    </ListItem>
  );
}

/**
 * Starts a run: lists the entity's pipelines (every readable entity's on the
 * Pipelines page) or takes the one given, then shows its start form. Hidden
 * when the user may not start runs of the entity; on the Pipelines page the
 * chooser lists only the pipelines whose entity the user may start runs of.
 */
export function StartRunButton(props: {
  /** With its entity (on the Pipelines page), whose permission applies. */
  pipeline?: RunRef & { entityRef?: string };
  label?: string;
}) {
  const listEntityRef = useOptionalPipelinesEntityRef();
  const entityRef = props.pipeline?.entityRef ?? listEntityRef;
  const permission = usePermission({
    permission: pipelinesRunCreatePermission,
    resourceRef: entityRef,
  });
  const { loading, allowed } = entityRef
    ? permission
    : { loading: false, allowed: true };
  const [open, setOpen] = useState(false);
  if (!loading && !allowed) return null;
  return (
    <>
      <Button
        variant={props.pipeline ? 'outlined' : 'contained'}
        size="small"
        color="primary"
        disabled={loading}
        onClick={() => setOpen(true)}
      >
        {props.label ?? 'Start run'}
      </Button>
      {open && (
        <PipelineChooser
          pipeline={props.pipeline}
          onClose={() => setOpen(false)}
        />
      )}
    </>
  );
}
