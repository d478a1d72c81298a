import { useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import { Box, Button, CircularProgress } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import {
  isCancellable,
  pipelinesRunCancelPermission,
  pipelinesRunCreatePermission,
  pipelinesRunDeletePermission,
  pipelinesRunRerunPermission,
} from '@cairn/plugin-pipelines-common';
import { useNavigate } from 'react-router-dom';
import { pipelinesApiRef, RunDetails } from '../../api';
import { usePipelinesEntityRef, useRunPaths } from '../EntityRefContext';
import { CancelRunDialog } from './CancelRunDialog';
import { DeleteRunDialog } from './DeleteRunDialog';
import { useSubmit } from './submitting';
import { StartRunButton } from './StartRunButton';
import { StartRunDialog } from './StartRunDialog';

type Open = 'rerun' | 'cancel' | 'delete' | undefined;

function StartPendingButton(props: {
  onStart: () => Promise<void>;
  disabled: boolean;
}) {
  const { busy, failure, submit } = useSubmit(props.onStart, { settle: true });
  return (
    <>
      <Button
        variant="contained"
        size="small"
        color="primary"
        disabled={busy || props.disabled}
        startIcon={busy ? <CircularProgress size={16} /> : undefined}
        onClick={() => submit()}
      >
        Start now
      </Button>
      {failure && <Alert severity="error">{failure}</Alert>}
    </>
  );
}

function useAllowed(
  permission: Parameters<typeof usePermission>[0]['permission'],
  resourceRef: string,
) {
  return usePermission({ permission, resourceRef } as Parameters<
    typeof usePermission
  >[0]);
}

/**
 * Start (another run of the same pipeline), Rerun, Cancel and Delete for a
 * run. Buttons the user may not use are hidden; the server decides anyway.
 */
export function RunActions(props: {
  details: RunDetails;
  onChanged: () => void;
}) {
  const { details, onChanged } = props;
  const { summary, run } = details;
  const api = useApi(pipelinesApiRef);
  const entityRef = usePipelinesEntityRef();
  const paths = useRunPaths();
  const navigate = useNavigate();
  const [open, setOpen] = useState<Open>();
  const canRerun = useAllowed(pipelinesRunRerunPermission, entityRef);
  const canCancel = useAllowed(pipelinesRunCancelPermission, entityRef);
  // Starting a held run starts a run, so the server checks create, not cancel.
  const canStart = useAllowed(pipelinesRunCreatePermission, entityRef);
  const canDelete = useAllowed(pipelinesRunDeletePermission, entityRef);

  const rerunForm = details.paramForm;
  const pipelineRef = run.spec.pipelineRef?.name;
  const ref = {
    cluster: summary.cluster,
    namespace: summary.namespace,
    name: summary.name,
  };
  const close = () => setOpen(undefined);

  const button = (
    key: Exclude<Open, undefined>,
    label: string,
    permission: { loading: boolean; allowed: boolean },
    show = true,
  ) =>
    show && (permission.loading || permission.allowed) ? (
      <Button
        variant="outlined"
        size="small"
        color={key === 'cancel' || key === 'delete' ? 'secondary' : 'primary'}
        disabled={permission.loading}
        onClick={() => setOpen(key)}
      >
        {label}
      </Button>
    ) : null;

  return (
    <Box display="flex" style={{ gap: 8 }}>
      {run.spec.status === 'PipelineRunPending' &&
        (canStart.loading || canStart.allowed) && (
          <StartPendingButton
            disabled={canStart.loading}
            onStart={async () => {
              await api.startPendingRun(entityRef, ref);
              onChanged();
            }}
          />
        )}
      {pipelineRef && (
        <StartRunButton
          label="Start new run"
          pipeline={{
            cluster: summary.cluster,
            namespace: summary.namespace,
            name: pipelineRef,
          }}
        />
      )}
      {button('rerun', 'Rerun', canRerun)}
      {button('cancel', 'Cancel', canCancel, isCancellable(run))}
      {button('delete', 'Delete', canDelete)}
      {open === 'rerun' && (
        <StartRunDialog
          open
          title={`Rerun ${summary.name}`}
          submitLabel="Rerun"
          fields={rerunForm}
          onClose={close}
          onSubmit={async values => {
            const created = await api.rerun(entityRef, ref, values.params);
            close();
            navigate(paths.run(created));
          }}
        />
      )}
      {open === 'cancel' && (
        <CancelRunDialog
          open
          runName={summary.name}
          onClose={close}
          onCancel={async mode => {
            await api.cancelRun(entityRef, ref, mode);
            close();
            onChanged();
          }}
        />
      )}
      {open === 'delete' && (
        <DeleteRunDialog
          open
          runName={summary.name}
          onClose={close}
          onDelete={async () => {
            await api.deleteRun(entityRef, ref);
            navigate(paths.list);
          }}
        />
      )}
    </Box>
  );
}
