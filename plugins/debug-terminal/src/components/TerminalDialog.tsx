import { useEffect, useMemo, useState } from 'react';
import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  Box,
  Button,
  Dialog,
  DialogContent,
  DialogTitle,
  IconButton,
  makeStyles,
  Typography,
} from '@material-ui/core';
import { Alert, AlertTitle } from '@material-ui/lab';
import CloseIcon from '@material-ui/icons/Close';
import type {
  DebugSessionDetail,
  ShellQuery,
} from '@cairn/plugin-debug-terminal-common';
import { debugTerminalApiRef, EntitySessionRef, TerminalTarget } from '../api';
import { isSessionOpen } from './terminalState';
import { TerminalView } from './TerminalView';

const useStyles = makeStyles(theme => ({
  title: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    paddingBottom: 0,
  },
  grow: { flex: 1 },
  content: {
    display: 'flex',
    flexDirection: 'column',
    height: '100%',
    paddingTop: 0,
  },
}));

/** What the terminal dialog opens: a debug session, or a shell in a container. */
export type TerminalRequest =
  | { kind: 'attach'; session: EntitySessionRef }
  | { kind: 'shell'; container: ShellQuery };

/** How often a Pending session is read again while its container starts. */
const PENDING_POLL_MS = 1000;

/**
 * A debug session's terminal: waits for the controller to make the session
 * Active (its toolkit container running), then attaches; offers to end it.
 */
function SessionTerminal(props: {
  session: EntitySessionRef;
  onSession(session: DebugSessionDetail): void;
}) {
  const { session, onSession } = props;
  const api = useApi(debugTerminalApiRef);
  const [detail, setDetail] = useState<DebugSessionDetail>();
  const [error, setError] = useState<Error>();

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = async () => {
      try {
        const current = await api.getSession(session);
        if (stopped) return;
        setDetail(current);
        onSession(current);
        if (current.phase === undefined || current.phase === 'Pending')
          timer = setTimeout(read, PENDING_POLL_MS);
      } catch (e) {
        if (!stopped) setError(e as Error);
      }
    };
    read();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [api, session, onSession]);

  const target = useMemo<TerminalTarget>(
    () => ({ kind: 'attach', session }),
    [session],
  );

  if (error) {
    return (
      <Alert severity="error">
        <AlertTitle>Could not read the session</AlertTitle>
        {error.message}
      </Alert>
    );
  }
  if (!detail || detail.phase === undefined || detail.phase === 'Pending') {
    return (
      <Box>
        <Typography variant="body2" paragraph>
          Starting the toolkit container
          {detail?.toolkit ? ` (${detail.toolkit})` : ''}…
          {detail?.message ? ` ${detail.message}` : ''}
        </Typography>
        <Progress />
      </Box>
    );
  }
  if (detail.phase !== 'Active') {
    return (
      <Alert severity={detail.phase === 'Failed' ? 'error' : 'info'}>
        <AlertTitle>The session is {detail.phase}</AlertTitle>
        {detail.reason}
        {detail.message ? `: ${detail.message}` : ''}
      </Alert>
    );
  }
  return <TerminalView target={target} expiresAt={detail.expiresAt} />;
}

export interface TerminalDialogProps {
  request: TerminalRequest;
  /** Pod and container, for the title. */
  title: string;
  onClose(): void;
}

/** A full-screen terminal over the entity page. */
export function TerminalDialog({
  request,
  title,
  onClose,
}: TerminalDialogProps) {
  const classes = useStyles();
  const api = useApi(debugTerminalApiRef);
  const [session, setSession] = useState<DebugSessionDetail>();
  const [ending, setEnding] = useState(false);
  const [endError, setEndError] = useState<string>();
  const shellTarget = useMemo<TerminalTarget | undefined>(
    () =>
      request.kind === 'shell'
        ? { kind: 'shell', container: request.container }
        : undefined,
    [request],
  );

  const endSession = async () => {
    if (request.kind !== 'attach') return;
    setEnding(true);
    try {
      await api.endSession(request.session);
      onClose();
    } catch (e) {
      setEndError((e as Error).message);
      setEnding(false);
    }
  };

  return (
    <Dialog open fullScreen onClose={onClose} aria-labelledby="terminal-title">
      <DialogTitle
        id="terminal-title"
        disableTypography
        className={classes.title}
      >
        <Typography variant="h6">
          {request.kind === 'attach' ? 'Debug session' : 'Shell'}: {title}
        </Typography>
        <div className={classes.grow} />
        {request.kind === 'attach' &&
          session &&
          isSessionOpen(session.phase) && (
            <Button
              variant="outlined"
              color="secondary"
              disabled={ending}
              onClick={endSession}
            >
              End session
            </Button>
          )}
        <IconButton aria-label="Close the terminal" onClick={onClose}>
          <CloseIcon />
        </IconButton>
      </DialogTitle>
      <DialogContent className={classes.content}>
        {endError && <Alert severity="error">{endError}</Alert>}
        {request.kind === 'attach' ? (
          <SessionTerminal session={request.session} onSession={setSession} />
        ) : (
          <TerminalView target={shellTarget!} />
        )}
      </DialogContent>
    </Dialog>
  );
}
