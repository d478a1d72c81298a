import { FormEvent, useCallback, useEffect, useState } from 'react';
import { LogViewer, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  Box,
  Button,
  List,
  ListItem,
  ListItemText,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { StepState } from '@cairn/plugin-pipelines-common';
import { pipelinesApiRef, RunRef, StepLogMatches } from '../../api';
import { errorMessage } from '../actions/errorMessage';
import { usePipelinesEntityRef } from '../EntityRefContext';

/** Bytes loaded at a time: the tail first, earlier pages on demand. */
const PAGE_BYTES = 256 * 1024;

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
 * The log of one step in LogViewer (ANSI colours, line links, download of
 * what is loaded): its last 256 KiB first — followed live while the step
 * runs — and earlier pages on demand; a search runs on the server over the
 * whole log, and a match opens the log at its line.
 */
export function StepLog(props: {
  run: RunRef;
  taskRun: string;
  step: StepState;
  /** Whether the step runs (isStepRunning: its TaskRun has not ended). */
  running: boolean;
  /**
   * When the portal lost the run's cluster, while it is lost: the log is
   * then not followed (nothing new can arrive) but read from the archive,
   * and followed again once the cluster is back.
   */
  unreachableSince?: string;
}) {
  const { run, taskRun, step, unreachableSince } = props;
  const api = useApi(pipelinesApiRef);
  const entityRef = usePipelinesEntityRef();
  const stepName = step.name ?? '';
  const running = props.running && unreachableSince === undefined;
  const started = Boolean(step.running || step.terminated);
  const [text, setText] = useState<string>();
  /** Byte offset of the loaded text in the log. */
  const [start, setStart] = useState(0);
  const [source, setSource] = useState<string>();
  const [error, setError] = useState<string>();
  const [following, setFollowing] = useState(false);
  /** Where the loaded window begins: the tail, or a search match. */
  const [openedAt, setOpenedAt] = useState<number>();
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<StepLogMatches>();
  const { cluster, namespace, name } = run;

  useEffect(() => {
    if (!started) return undefined;
    const ref = { cluster, namespace, name };
    const stepRef = { taskRun, step: stepName };
    const controller = new AbortController();
    const failed = (e: unknown) => {
      if (!controller.signal.aborted) setError(errorMessage(e));
    };
    setError(undefined);
    setText(undefined);
    if (running && openedAt === undefined) {
      setFollowing(true);
      api
        .followStepLog(
          entityRef,
          ref,
          stepRef,
          chunk => setText(prev => (prev ?? '') + chunk),
          controller.signal,
          {
            tail: PAGE_BYTES,
            onOpen: log => {
              setText('');
              setStart(log.start);
              setSource(log.source);
            },
          },
        )
        .catch(failed)
        .finally(() => {
          if (!controller.signal.aborted) setFollowing(false);
        });
    } else {
      setFollowing(false);
      api
        .getStepLog(
          entityRef,
          ref,
          stepRef,
          openedAt === undefined
            ? { tail: PAGE_BYTES }
            : { start: openedAt, end: openedAt + PAGE_BYTES },
        )
        .then(log => {
          if (controller.signal.aborted) return;
          setText(log.text);
          setStart(log.start);
          setSource(log.source);
        })
        .catch(failed);
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
    openedAt,
  ]);

  const loadEarlier = useCallback(() => {
    api
      .getStepLog(
        entityRef,
        { cluster, namespace, name },
        { taskRun, step: stepName },
        { start: Math.max(0, start - PAGE_BYTES), end: start },
      )
      .then(log => {
        setText(prev => log.text + (prev ?? ''));
        setStart(log.start);
      })
      .catch(e => setError(errorMessage(e)));
  }, [api, entityRef, cluster, namespace, name, taskRun, stepName, start]);

  const search = (event: FormEvent) => {
    event.preventDefault();
    if (!query) return;
    api
      .searchStepLog(
        entityRef,
        { cluster, namespace, name },
        { taskRun, step: stepName },
        query,
      )
      .then(setFound)
      .catch(e => setError(errorMessage(e)));
  };

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
  const notLive = props.running && unreachableSince !== undefined;
  return (
    <Box>
      <Box display="flex" alignItems="center" flexWrap="wrap">
        <Typography variant="caption" color="textSecondary">
          Log of step {stepName}
          {following ? ' — following live' : ''}
          {!following && !notLive && source === 'live'
            ? ' — still being written'
            : ''}
          {notLive && (
            <>
              {' — not live: the cluster has not answered since '}
              <time dateTime={unreachableSince}>
                {new Date(unreachableSince!).toLocaleString()}
              </time>
              ; showing what was kept until then
            </>
          )}
        </Typography>
        {start > 0 && (
          <Button size="small" onClick={loadEarlier}>
            Load earlier
          </Button>
        )}
        {openedAt !== undefined && (
          <Button size="small" onClick={() => setOpenedAt(undefined)}>
            Back to the end
          </Button>
        )}
        <Box flexGrow={1} />
        <form onSubmit={search}>
          <TextField
            size="small"
            placeholder="Search the whole log"
            inputProps={{ 'aria-label': 'Search the whole log' }}
            value={query}
            onChange={e => setQuery(e.target.value)}
          />
        </form>
      </Box>
      {found && (
        <Box maxHeight={160} overflow="auto" data-testid="step-log-matches">
          <Typography variant="caption">
            {found.matches.length === 0
              ? `No line contains "${query}".`
              : `${found.matches.length}${
                  found.truncated ? '+' : ''
                } matching line(s):`}
          </Typography>
          <List dense disablePadding>
            {found.matches.map(match => (
              <ListItem
                button
                key={match.offset}
                onClick={() => setOpenedAt(match.offset)}
              >
                <ListItemText
                  primary={match.line}
                  primaryTypographyProps={{ noWrap: true }}
                />
              </ListItem>
            ))}
          </List>
        </Box>
      )}
      {text === '' ? (
        <Typography variant="body2" data-testid="step-log">
          {running ? 'No output yet.' : 'This step wrote no output.'}
        </Typography>
      ) : (
        <Box
          height="calc(100vh - 320px)"
          minHeight={300}
          data-testid="step-log"
        >
          <LogViewer
            text={text}
            onDownloadLog={() =>
              downloadLog(`${taskRun}-${stepName}.log`, text)
            }
          />
        </Box>
      )}
    </Box>
  );
}
