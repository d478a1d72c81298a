import { useState } from 'react';
import { Box, Button, Typography } from '@material-ui/core';
import { configApiRef, useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  actionRefusal,
  formatStageResourceRef,
  RolloutAction,
  rolloutsStageApprovePermission,
  rolloutsUpdatePausePermission,
  rolloutsUpdateRollbackPermission,
  rolloutsUpdateStartPermission,
  StoneDetail,
  stoneStatus,
} from '@cairn/plugin-rollouts-common';
import { Alert } from '@material-ui/lab';
import { RolloutsApi } from '../../api';
import { errorMessage } from './errorMessage';
import { ApproveDialog } from './ApproveDialog';
import { ActionDialog } from './ActionDialog';
import { RollbackDialog } from './RollbackDialog';
import { StartUpdateDialog } from './StartUpdateDialog';

/** The version of the Stone a change was decided on (sent with the request). */
export interface DecidedOn {
  resourceVersion: string;
  generation?: number;
}

/** A change request, given the API and the version it was decided on. */
export type StoneChange = (
  api: RolloutsApi,
  decidedOn: DecidedOn,
) => Promise<unknown>;

/**
 * Who the policy lets approve, as its config says when the frontend can read
 * it: the ops groups (default `group:default/ops`) and the stages owners may
 * approve themselves (default none).
 */
function useApprovers(): { opsGroups: string[]; ownerStages: string[] } {
  const config = useApi(configApiRef);
  return {
    opsGroups: config.getOptionalStringArray('cairn.permission.opsGroups') ?? [
      'group:default/ops',
    ],
    ownerStages:
      config.getOptionalStringArray(
        'cairn.permission.rollouts.ownerApprovableStages',
      ) ?? [],
  };
}

/** Whether an action may go ahead: refused outright, or only with force. */
function judge(detail: StoneDetail, action: RolloutAction) {
  const refusal = actionRefusal(detail.stone, action);
  const forcedRefusal = actionRefusal(detail.stone, action, true);
  return { refusal, blocked: forcedRefusal };
}

function ActionButton(props: {
  id: string;
  label: string;
  allowed: boolean;
  loading: boolean;
  deniedReason: string;
  refusal?: string;
  blocked?: string;
  onClick: () => void;
}) {
  const reason =
    !props.loading && !props.allowed
      ? props.deniedReason
      : props.blocked ?? props.refusal;
  const disabled = props.loading || !props.allowed || !!props.blocked;
  const reasonId = `${props.id}-reason`;
  return (
    <Box display="flex" flexDirection="column" maxWidth={260} mr={2} mb={1}>
      <Button
        variant="outlined"
        color="primary"
        disabled={disabled}
        onClick={props.onClick}
        aria-describedby={reason ? reasonId : undefined}
      >
        {props.label}
      </Button>
      {reason && (
        <Typography id={reasonId} variant="caption" color="textSecondary">
          {reason}
        </Typography>
      )}
    </Box>
  );
}

type OpenDialog = 'approve' | 'start' | 'rollback' | 'abort' | undefined;

/**
 * The actions on a Stone. Each is disabled with its reason when the policy
 * denies it (usePermission) or the Stone's state refuses it (actionRefusal,
 * the server's own rule); a refusal that ops may override asks to force.
 */
export function StoneActions(props: {
  detail: StoneDetail;
  change: (request: StoneChange) => Promise<void>;
}) {
  const { detail, change } = props;
  const { entityRef } = detail.summary;
  const status = stoneStatus(detail.stone);
  const next = status.nextStage;
  const { opsGroups, ownerStages } = useApprovers();
  const [open, setOpen] = useState<OpenDialog>();
  const [error, setError] = useState<string>();
  const close = () => setOpen(undefined);
  const run = async (request: StoneChange) => {
    await change(request);
    close();
  };

  const approvePermission = usePermission({
    permission: rolloutsStageApprovePermission,
    resourceRef: formatStageResourceRef({
      entityRef,
      stage: next ?? status.stage,
    }),
  });
  const startPermission = usePermission({
    permission: rolloutsUpdateStartPermission,
    resourceRef: entityRef,
  });
  const pausePermission = usePermission({
    permission: rolloutsUpdatePausePermission,
    resourceRef: entityRef,
  });
  const rollbackPermission = usePermission({
    permission: rolloutsUpdateRollbackPermission,
    resourceRef: entityRef,
  });
  const forOwners = (what: string) =>
    `${what} is for the owners of ${entityRef} and ops (${opsGroups.join(
      ', ',
    )})`;

  // After Release there is no stage to approve; actionRefusal says so.
  const approve = judge(detail, {
    type: 'approve',
    stage: next ?? status.stage,
  });
  const start = judge(detail, { type: 'start' });
  const pauseAction: RolloutAction = {
    type: status.pausedBySpec ? 'resume' : 'pause',
  };
  const pause = judge(detail, pauseAction);
  const abort = judge(detail, { type: 'abort' });
  const rollbackChoices = detail.revisions.filter(
    r => !actionRefusal(detail.stone, { type: 'rollback', revision: r.name }),
  );
  // Mid-update the released revision is what people want back: the shared
  // rule says how (abort), which beats "no earlier revision".
  const { currentRevision, updateRevision } = detail.summary;
  const rollbackBlocked =
    rollbackChoices.length > 0
      ? undefined
      : (currentRevision &&
          currentRevision !== updateRevision &&
          actionRefusal(detail.stone, {
            type: 'rollback',
            revision: currentRevision,
          })) ||
        'No earlier revision to roll back to';

  return (
    <>
      <Box display="flex" flexWrap="wrap" alignItems="flex-start">
        <ActionButton
          id="approve"
          label={next ? `Approve ${next}` : 'Approve'}
          allowed={approvePermission.allowed}
          loading={approvePermission.loading}
          deniedReason={
            next && ownerStages.includes(next)
              ? forOwners(`Approving ${next}`)
              : `Approving ${next} is for ops (${opsGroups.join(', ')})`
          }
          {...approve}
          onClick={() => setOpen('approve')}
        />
        <ActionButton
          id="start"
          label="Start staged update"
          allowed={startPermission.allowed}
          loading={startPermission.loading}
          deniedReason={forOwners('Starting an update')}
          {...start}
          onClick={() => setOpen('start')}
        />
        <ActionButton
          id="pause"
          label={pauseAction.type === 'resume' ? 'Resume' : 'Pause'}
          allowed={pausePermission.allowed}
          loading={pausePermission.loading}
          deniedReason={forOwners('Pausing and resuming')}
          {...pause}
          onClick={() => {
            setError(undefined);
            change((api, decidedOn) =>
              pauseAction.type === 'resume'
                ? api.resume(detail.summary, decidedOn)
                : api.pause(detail.summary, decidedOn),
            ).catch(e => setError(errorMessage(e)));
          }}
        />
        <ActionButton
          id="rollback"
          label="Roll back"
          allowed={rollbackPermission.allowed}
          loading={rollbackPermission.loading}
          deniedReason={forOwners('Rolling back')}
          blocked={rollbackBlocked}
          onClick={() => setOpen('rollback')}
        />
        <ActionButton
          id="abort"
          label="Abort update"
          allowed={pausePermission.allowed}
          loading={pausePermission.loading}
          deniedReason={forOwners('Aborting an update')}
          {...abort}
          onClick={() => setOpen('abort')}
        />
      </Box>
      {error && (
        <Alert severity="error" role="alert">
          {error}
        </Alert>
      )}
      {open === 'approve' && next && (
        <ApproveDialog
          detail={detail}
          stage={next}
          refusal={approve.refusal}
          onClose={close}
          onApprove={request =>
            run((api, decidedOn) =>
              api.approveStage(detail.summary, {
                stage: next,
                ...decidedOn,
                ...request,
              }),
            )
          }
        />
      )}
      {open === 'start' && (
        <StartUpdateDialog
          detail={detail}
          refusal={start.refusal}
          onClose={close}
          onStart={request =>
            run((api, decidedOn) =>
              api.startUpdate(detail.summary, { ...request, ...decidedOn }),
            )
          }
        />
      )}
      {open === 'rollback' && (
        <RollbackDialog
          detail={detail}
          onClose={close}
          onRollback={revision =>
            run((api, decidedOn) =>
              api.rollback(detail.summary, { revision, ...decidedOn }),
            )
          }
        />
      )}
      {open === 'abort' && (
        <ActionDialog
          title={`Abort the update of ${detail.summary.name}?`}
          action="Abort update"
          onClose={close}
          onAction={() =>
            run((api, decidedOn) => api.abort(detail.summary, decidedOn))
          }
        >
          Every pod goes back to the current revision{' '}
          {detail.summary.currentRevision}.
        </ActionDialog>
      )}
    </>
  );
}
