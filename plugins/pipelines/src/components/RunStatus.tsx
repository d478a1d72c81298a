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
  RUN_STATUSES,
  RunStatus,
  RunStatusSummary,
  TaskProgress,
} from '@cairn/plugin-pipelines-common';
import { RunSummary } from '../api';

/** The colour of each status, shared by the progress bar and the DAG. */
export const STATUS_COLORS: Record<RunStatus, string> = {
  succeeded: '#2e7d32',
  failed: '#c62828',
  cancelled: '#757575',
  running: '#1565c0',
  pending: '#f9a825',
  skipped: '#bdbdbd',
};

/** A status with its icon and label; Tekton's message as a tooltip. */
export function RunStatusView(props: { status: RunStatusSummary }) {
  const { status, label, message } = props.status;
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
  return message ? (
    <Tooltip title={message}>
      <span>{icon}</span>
    </Tooltip>
  ) : (
    <span>{icon}</span>
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

/** What started the run, from its labels. */
export function triggerLabel(run: Pick<RunSummary, 'labels' | 'rerunOf'>) {
  const labels = run.labels ?? {};
  if (run.rerunOf) return `rerun of ${run.rerunOf}`;
  const listener = labels['triggers.tekton.dev/eventlistener'];
  if (listener) {
    const trigger = labels['triggers.tekton.dev/trigger'];
    return trigger ? `${listener} / ${trigger}` : listener;
  }
  return 'manual';
}

/** Whether a status can still change. */
export function isActive(status: RunStatus) {
  return status === 'running' || status === 'pending';
}
