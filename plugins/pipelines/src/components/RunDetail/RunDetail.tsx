import { useState } from 'react';
import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
  StructuredMetadataTable,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Box, Button, Grid, Typography } from '@material-ui/core';
import { useParams } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import {
  formatDuration,
  getRunStatus,
  getStepDuration,
  getTaskDuration,
  isStepRunning,
  ParamValue,
  StepState,
  TaskRun,
} from '@cairn/plugin-pipelines-common';
import { pipelinesApiRef, RunDetails, RunTaskState } from '../../api';
import { RunActions } from '../actions';
import { usePipelinesEntityRef, useRunPaths } from '../EntityRefContext';
import { isActive, RunStatusView, startLabel, TriggerView } from '../RunStatus';
import { PipelineDag } from './PipelineDag';
import { StepLog } from './StepLog';
import { useRunEvents } from '../useRunEvents';
import {
  ClusterErrors,
  useRefreshWhileStale,
} from '@cairn/plugin-kubernetes-react';
import { RunRef } from '../../api';

/** Param and result names are shown as they are, not title-cased. */
const KEEP_KEYS = { titleFormat: (key: string) => key };

/** How often an active run's detail refreshes without the event stream. */
export const RUN_REFRESH_MS = 3000;

function showValue(value: ParamValue | undefined): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Characters of a param or result shown before "show all". */
export const VALUE_PREVIEW_CHARS = 300;

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** A param or result value; a long one is cut, with a button to show it whole. */
function ValueView(props: { value: ParamValue | undefined }) {
  const text = showValue(props.value);
  const [expanded, setExpanded] = useState(false);
  if (text.length <= VALUE_PREVIEW_CHARS) return <>{text}</>;
  return (
    <Box component="span" style={{ wordBreak: 'break-all' }}>
      {expanded ? text : `${text.slice(0, VALUE_PREVIEW_CHARS)}…`}{' '}
      <Button size="small" onClick={() => setExpanded(e => !e)}>
        {expanded
          ? 'show less'
          : `show all (${formatSize(new TextEncoder().encode(text).length)})`}
      </Button>
    </Box>
  );
}

function valuesOf(
  entries: Array<{ name: string; value?: ParamValue }>,
): Record<string, JSX.Element> {
  return Object.fromEntries(
    entries.map(e => [e.name, <ValueView value={e.value} />]),
  );
}

/** What a step is doing; a step its ended TaskRun left "running" ended with it. */
function stepState(step: StepState, taskRun: TaskRun): string {
  if (step.terminated) {
    return step.terminated.reason ?? 'Terminated';
  }
  if (step.running) {
    return isStepRunning(step, taskRun) ? 'Running' : 'Ended with its task';
  }
  if (step.waiting) return step.waiting.reason ?? 'Waiting';
  return 'Unknown';
}

type StepRow = StepState & { id: string };

/** The step table's columns; durations are measured at `now`, as the task's. */
function stepColumns(taskRun: TaskRun, now: Date): TableColumn<StepRow>[] {
  return [
    { title: 'Step', field: 'name' },
    { title: 'State', render: row => stepState(row, taskRun) },
    {
      title: 'Exit code',
      render: row => (row.terminated ? String(row.terminated.exitCode) : '—'),
    },
    {
      title: 'Duration',
      render: row => {
        const duration = getStepDuration(row, taskRun, now);
        return duration === undefined ? '—' : formatDuration(duration);
      },
    },
    {
      title: 'Message',
      render: row => row.terminated?.message ?? row.waiting?.message ?? '',
    },
  ];
}

/**
 * The step to show first: the first that failed (a non-zero exit, or ended
 * otherwise than by completing: StartError, a timeout), else the running
 * one, else the last.
 */
function defaultStep(steps: StepState[]): string | undefined {
  return (
    steps.find(
      s =>
        s.terminated &&
        (s.terminated.exitCode !== 0 ||
          (s.terminated.reason !== undefined &&
            s.terminated.reason !== 'Completed')),
    )?.name ??
    steps.find(s => s.running && !s.terminated)?.name ??
    steps[steps.length - 1]?.name
  );
}

function TaskRunCard(props: {
  taskRun: TaskRun;
  run: RunRef;
  now: Date;
  /** When the run's cluster was lost, if it is. */
  unreachableSince?: string;
}) {
  const { taskRun, now } = props;
  const [selectedStep, setSelectedStep] = useState<string>();
  const status = getRunStatus(taskRun);
  const steps: StepRow[] = (taskRun.status?.steps ?? []).map((s, i) => ({
    ...s,
    id: `${s.name ?? i}`,
  }));
  const results = taskRun.status?.results ?? [];
  const stepName = selectedStep ?? defaultStep(steps);
  const step = steps.find(s => s.name === stepName);
  return (
    <Box mb={2}>
      <Typography variant="subtitle1">
        {taskRun.metadata.name} <RunStatusView status={status} />
      </Typography>
      {status.message && (
        <Typography variant="body2" color="textSecondary">
          {status.message}
        </Typography>
      )}
      <Table<StepRow>
        title="Steps"
        columns={stepColumns(taskRun, now)}
        data={steps}
        onRowClick={(_event, row) => row?.name && setSelectedStep(row.name)}
        options={{
          paging: false,
          search: false,
          padding: 'dense',
          rowStyle: (row: StepRow) =>
            row.name === stepName ? { backgroundColor: '#e3f2fd' } : {},
        }}
      />
      {step && (
        <Box mt={1}>
          <StepLog
            key={`${taskRun.metadata.name}/${step.name}`}
            run={props.run}
            taskRun={taskRun.metadata.name ?? ''}
            step={step}
            running={isStepRunning(step, taskRun)}
            unreachableSince={props.unreachableSince}
          />
        </Box>
      )}
      {results.length > 0 && (
        <Box mt={1}>
          <Typography variant="subtitle2">Results</Typography>
          <StructuredMetadataTable
            options={KEEP_KEYS}
            metadata={valuesOf(results)}
          />
        </Box>
      )}
    </Box>
  );
}

function taskRunsOf(
  state: RunTaskState | undefined,
  taskRuns: readonly TaskRun[],
): TaskRun[] {
  return taskRuns.filter(tr =>
    state?.taskRuns.includes(tr.metadata.name ?? ''),
  );
}

function TaskPanel(props: {
  name: string;
  state?: RunTaskState;
  details: RunDetails;
  duration?: number;
  now: Date;
}) {
  const { name, state, details, duration, now } = props;
  const taskRuns = taskRunsOf(state, details.taskRuns);
  const unreachableSince = details.clusterErrors?.find(
    e => e.cluster === details.summary.cluster,
  )?.unreachableSince;
  return (
    <InfoCard title={`Task ${name}`}>
      {state && (
        <Box mb={2}>
          <RunStatusView status={state.status} />
          {state.skippedReason && (
            <Typography variant="body2">
              Skipped: {state.skippedReason}
            </Typography>
          )}
          {duration !== undefined && (
            <Typography variant="body2">
              Duration: {formatDuration(duration)}
              {state.retries ? ` · ${state.retries} retries` : ''}
            </Typography>
          )}
        </Box>
      )}
      {taskRuns.length === 0 && (
        <Typography variant="body2">No task run (yet).</Typography>
      )}
      {taskRuns.map(tr => (
        <TaskRunCard
          key={tr.metadata.name}
          taskRun={tr}
          now={now}
          unreachableSince={unreachableSince}
          run={{
            cluster: details.summary.cluster,
            namespace: details.summary.namespace,
            name: details.summary.name,
          }}
        />
      ))}
    </InfoCard>
  );
}

/**
 * One run: its status, timing and actions, the graph of its tasks coloured
 * by status, params and results, and the steps of the selected task.
 * Refreshes while the run is active.
 */
export function RunDetail() {
  const { cluster = '', namespace = '', name = '' } = useParams();
  const api = useApi(pipelinesApiRef);
  const entityRef = usePipelinesEntityRef();
  const paths = useRunPaths();
  const [selected, setSelected] = useState<string>();
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.getRun(entityRef, { cluster, namespace, name }),
    [api, entityRef, cluster, namespace, name],
  );
  const active = value ? isActive(value.summary.status.status) : false;
  // Reload when the backend pushes a change of this run; poll while the run
  // is active only when the event stream is not available.
  const { connected } = useRunEvents(entityRef, changes => {
    if (
      changes.some(
        c =>
          c.run.cluster === cluster &&
          c.run.namespace === namespace &&
          c.run.name === name,
      )
    ) {
      retry();
    }
  });
  useInterval(retry, active && !connected ? RUN_REFRESH_MS : null);
  // The run's cluster is shown at its last known state: ask until it is back.
  useRefreshWhileStale(value?.clusterErrors, retry);

  if (!value) {
    if (error) return <ResponseErrorPanel error={error} />;
    if (loading) return <Progress />;
    return null;
  }
  const { summary, run, graph, tasks } = value;
  // One instant for every duration on the page, so a task's and its steps'
  // agree (the server measured its own at another instant).
  const now = new Date();
  const durations = Object.fromEntries(
    Object.entries(tasks).map(([task, state]) => [
      task,
      getTaskDuration(taskRunsOf(state, value.taskRuns), now),
    ]),
  );
  const params = run.spec.params ?? [];
  const results = run.status?.results ?? [];
  // A failed or timed-out run opens on the task that failed; a timeout
  // cancels the tasks still running, so those come next.
  const task =
    selected ??
    (['failed', 'cancelled', 'running'] as const)
      .map(status => Object.values(tasks).find(t => t.status.status === status))
      .find(Boolean)?.name;

  return (
    <Grid container spacing={2}>
      {value.clusterErrors?.length > 0 && (
        <Grid item xs={12}>
          <ClusterErrors errors={value.clusterErrors} what="Runs" />
        </Grid>
      )}
      <Grid item xs={12}>
        <InfoCard
          title={summary.name}
          subheader={<Link to={paths.list}>All runs</Link>}
          action={<RunActions details={value} onChanged={retry} />}
        >
          {error && <ResponseErrorPanel error={error} />}
          <StructuredMetadataTable
            metadata={{
              status: <RunStatusView status={summary.status} />,
              ...(summary.status.message
                ? { message: summary.status.message }
                : {}),
              pipeline: summary.pipeline ?? '—',
              trigger: <TriggerView run={summary} />,
              namespace: `${summary.namespace} (cluster ${summary.cluster})`,
              started: (
                <>
                  {startLabel(summary)}
                  {summary.startTime ? ` (${summary.startTime})` : ''}
                </>
              ),
              duration:
                summary.durationMs !== undefined
                  ? formatDuration(summary.durationMs)
                  : '—',
            }}
          />
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        <InfoCard title="Tasks">
          {graph ? (
            <PipelineDag
              graph={graph}
              tasks={tasks}
              durations={durations}
              selected={task}
              onSelect={setSelected}
            />
          ) : (
            <Typography variant="body2">
              The pipeline of this run is not known yet.
            </Typography>
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={8}>
        {task ? (
          <TaskPanel
            name={task}
            state={tasks[task]}
            details={value}
            duration={durations[task]}
            now={now}
          />
        ) : (
          <InfoCard title="Task">
            <Typography variant="body2">
              Select a task in the graph to see its steps.
            </Typography>
          </InfoCard>
        )}
      </Grid>
      <Grid item xs={12} md={4}>
        <InfoCard title="Params and results">
          <Typography variant="subtitle2">Params</Typography>
          {params.length ? (
            <StructuredMetadataTable
              options={KEEP_KEYS}
              metadata={valuesOf(params)}
            />
          ) : (
            <Typography variant="body2">none (defaults)</Typography>
          )}
          <Box mt={2}>
            <Typography variant="subtitle2">Results</Typography>
            {results.length ? (
              <StructuredMetadataTable
                options={KEEP_KEYS}
                metadata={valuesOf(results)}
              />
            ) : (
              <Typography variant="body2">none</Typography>
            )}
          </Box>
        </InfoCard>
      </Grid>
    </Grid>
  );
}
