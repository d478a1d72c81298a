import { useEffect, useState } from 'react';
import { LogViewer, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Box, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { StepState } from '@cairn/plugin-pipelines-common';
import { pipelinesApiRef, RunRef } from '../../api';
import { errorMessage } from '../actions/errorMessage';
import { usePipelinesEntityRef } from '../EntityRefContext';

/** Saves a log as a file. */
export function downloadLog(fileName: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(url);
}

/**
 * The log of one step in LogViewer (ANSI colours, search, line links,
 * download): followed live while the step runs, read whole once it ended —
 * from the pod, or from the portal's archive when the pod is gone.
 */
export function StepLog(props: {
  run: RunRef;
  taskRun: string;
  step: StepState;
}) {
  const { run, taskRun, step } = props;
  const api = useApi(pipelinesApiRef);
  const entityRef = usePipelinesEntityRef();
  const stepName = step.name ?? '';
  const running = Boolean(step.running) && !step.terminated;
  const started = Boolean(step.running || step.terminated);
  const [text, setText] = useState<string>();
  const [source, setSource] = useState<string>();
  const [error, setError] = useState<string>();
  const [following, setFollowing] = useState(false);
  const { cluster, namespace, name } = run;

  useEffect(() => {
    if (!started) return undefined;
    const ref = { cluster, namespace, name };
    const controller = new AbortController();
    setError(undefined);
    if (running) {
      setText('');
      setSource('pod');
      setFollowing(true);
      api
        .followStepLog(
          entityRef,
          ref,
          { taskRun, step: stepName },
          chunk => setText(prev => (prev ?? '') + chunk),
          controller.signal,
        )
        .catch(e => {
          if (!controller.signal.aborted) setError(errorMessage(e));
        })
        .finally(() => {
          if (!controller.signal.aborted) setFollowing(false);
        });
    } else {
      setText(undefined);
      setFollowing(false);
      api
        .getStepLog(entityRef, ref, { taskRun, step: stepName })
        .then(log => {
          if (controller.signal.aborted) return;
          setText(log.text);
          setSource(log.source);
        })
        .catch(e => {
          if (!controller.signal.aborted) setError(errorMessage(e));
        });
    }
    return () => controller.abort();
  }, [
    api,
    entityRef,
    cluster,
    namespace,
    name,
    taskRun,
    stepName,
    running,
    started,
  ]);

  if (!started) {
    return (
      <Typography variant="body2">
        Step {stepName} has not started
        {step.waiting?.reason ? ` (${step.waiting.reason})` : ''}.
      </Typography>
    );
  }
  if (error) return <Alert severity="error">{error}</Alert>;
  if (text === undefined) return <Progress />;
  return (
    <Box>
      <Typography variant="caption" color="textSecondary">
        Log of step {stepName}
        {following ? ' — following live' : ''}
        {source === 'archive' ? ' — from the archive (pod gone)' : ''}
      </Typography>
      <Box height={400} data-testid="step-log">
        <LogViewer
          text={text}
          onDownloadLog={() => downloadLog(`${taskRun}-${stepName}.log`, text)}
        />
      </Box>
    </Box>
  );
}
