import { ReactNode } from 'react';
import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
} from '@backstage/core-components';
import { Box, Tooltip } from '@material-ui/core';
import { makeStyles } from '@material-ui/core/styles';
import {
  describeWebhookTrigger,
  RUN_STATUSES,
  RunStatus,
  RunStatusSummary,
  TaskProgress,
} from '@cairn/plugin-pipelines-common';
import { Link } from '@backstage/core-components';
import { RunRef, RunSummary } from '../api';
import { useRunPaths } from './EntityRefContext';

/** The colour of each status, shared by the progress bar and the DAG. */
export const STATUS_COLORS: Record<RunStatus, string> = {
  succeeded: '#2e7d32',
  failed: '#c62828',
  cancelled: '#757575',
  running: '#1565c0',
  pending: '#f9a825',
  skipped: '#bdbdbd',
};

/**
 * A status with its icon and human label (from the one status mapping of
 * pipelines-common); Tekton's exact reason and message as a tooltip.
 */
export function RunStatusView(props: { status: RunStatusSummary }) {
  const { status, label, reason, message } = props.status;
  const text = <span>{label}</span>;
  let icon: ReactNode;
  switch (status) {
    case 'succeeded':
      icon = <StatusOK>{text}</StatusOK>;
      break;
    case 'failed':
      icon = <StatusError>{text}</StatusError>;
      break;
    case 'running':
      icon = <StatusRunning>{text}</StatusRunning>;
      break;
    case 'pending':
      icon = <StatusPending>{text}</StatusPending>;
      break;
    default:
      icon = <StatusAborted>{text}</StatusAborted>;
  }
  if (!reason && !message) return <span>{icon}</span>;
  return (
    <Tooltip
      title={
        <>
          {reason && <strong>{reason}</strong>}
          {reason && message ? ': ' : ''}
          {message}
        </>
      }
    >
      <span aria-label={[reason, message].filter(Boolean).join(': ')}>
        {icon}
      </span>
    </Tooltip>
  );
}

const useBarStyles = makeStyles({
  bar: {
    display: 'flex',
    height: 10,
    minWidth: 120,
    borderRadius: 3,
    overflow: 'hidden',
    backgroundColor: '#eeeeee',
  },
});

/** A bar of the run's tasks stacked by status. */
export function TaskProgressBar(props: { progress: TaskProgress }) {
  const classes = useBarStyles();
  const { total, byStatus } = props.progress;
  const parts = RUN_STATUSES.filter(s => byStatus[s] > 0);
  const title = total
    ? parts.map(s => `${byStatus[s]} ${s}`).join(', ')
    : 'no tasks yet';
  return (
    <Tooltip title={title}>
      <Box
        className={classes.bar}
        role="progressbar"
        aria-label={`tasks: ${title}`}
      >
        {parts.map(s => (
          <Box
            key={s}
            data-status={s}
            style={{
              width: `${(100 * byStatus[s]) / total}%`,
              backgroundColor: STATUS_COLORS[s],
            }}
          />
        ))}
      </Box>
    </Tooltip>
  );
}

const relativeFormat = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** `5 minutes ago`, `yesterday`, … */
export function formatRelative(iso: string | undefined, now = Date.now()) {
  if (!iso) return '';
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  const units: Array<[Intl.RelativeTimeFormatUnit, number]> = [
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60],
  ];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) {
      return relativeFormat.format(Math.round(seconds / size), unit);
    }
  }
  return relativeFormat.format(seconds, 'second');
}

/** `ada` of `user:default/ada`; other refs as they are. */
function userName(ref: string): string {
  return ref.replace(/^user:(default\/)?/, '');
}

type TriggerFields = Pick<RunSummary, 'labels' | 'rerunOf' | 'startedBy'>;

/**
 * What started the run: a rerun (of which run, by whom), a webhook (Tekton
 * Triggers' event listener), a portal user (the annotation the backend sets
 * on runs it creates), else a client outside the portal such as kubectl.
 */
export function triggerLabel(run: TriggerFields): string {
  const labels = run.labels ?? {};
  const by = run.startedBy ? ` by ${userName(run.startedBy)}` : '';
  if (run.rerunOf) return `rerun of ${run.rerunOf}${by}`;
  const listener = labels['triggers.tekton.dev/eventlistener'];
  if (listener) {
    const trigger = labels['triggers.tekton.dev/trigger'];
    return `webhook ${trigger ? `${listener} / ${trigger}` : listener}`;
  }
  // A Git webhook received by the portal (triggers.cairn.dev labels).
  const webhook = describeWebhookTrigger(labels);
  if (webhook) return webhook;
  if (run.startedBy) return `portal${by}`;
  return 'kubectl or API';
}

/** {@link triggerLabel}, with a rerun linking to the run it repeats. */
export function TriggerView(props: {
  run: TriggerFields & RunRef & { entityRef: string };
}) {
  const { run } = props;
  const paths = useRunPaths();
  const text = triggerLabel(run);
  if (!run.rerunOf) return <span title={text}>{text}</span>;
  return (
    <span title={text}>
      rerun of{' '}
      <Link to={paths.run({ ...run, name: run.rerunOf }, run.entityRef)}>
        {run.rerunOf}
      </Link>
      {run.startedBy ? ` by ${userName(run.startedBy)}` : ''}
    </span>
  );
}

/**
 * When the run started: "held" for a run waiting for someone to start it
 * (`PipelineRunPending`), "not started" before Tekton starts it, else how
 * long ago (the exact time on hover).
 */
export function startLabel(
  run: Pick<RunSummary, 'status' | 'startTime' | 'createdAt'>,
): ReactNode {
  if (run.status.reason === 'PipelineRunPending') {
    return (
      <span title={`created ${run.createdAt ?? ''}; held until started`}>
        held
      </span>
    );
  }
  if (!run.startTime) {
    return <span title={`created ${run.createdAt ?? ''}`}>not started</span>;
  }
  return <span title={run.startTime}>{formatRelative(run.startTime)}</span>;
}

/** Whether a status can still change. */
export function isActive(status: RunStatus) {
  return status === 'running' || status === 'pending';
}
