import { useEffect, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  Button,
  Chip,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import type { DebugSessionSummary } from '@cairn/plugin-debug-terminal-common';
import { debugTerminalApiRef, EntitySessionRef } from '../api';
import { splitSessions } from './terminalState';

/** How often the list is read again while a session is Pending. */
const PENDING_REFRESH_MS = 3000;

const when = (iso?: string) => (iso ? new Date(iso).toLocaleString() : '—');

export interface SessionsListProps {
  entityRef: string;
  /** Changes when a session was started or ended elsewhere: reload. */
  reloadKey?: number;
  onAttach(session: EntitySessionRef, title: string): void;
}

function SessionRows(props: {
  sessions: DebugSessionSummary[];
  open: boolean;
  onAttach?(session: DebugSessionSummary): void;
  onEnd?(session: DebugSessionSummary): void;
}) {
  const { sessions, open, onAttach, onEnd } = props;
  return (
    <Table size="small" aria-label={open ? 'Open sessions' : 'Past sessions'}>
      <TableHead>
        <TableRow>
          <TableCell>Pod / container</TableCell>
          <TableCell>Toolkit</TableCell>
          <TableCell>Phase</TableCell>
          <TableCell>Requested by</TableCell>
          <TableCell>Created</TableCell>
          <TableCell>{open ? 'Expires' : 'Ended'}</TableCell>
          {open && <TableCell />}
        </TableRow>
      </TableHead>
      <TableBody>
        {sessions.map(s => (
          <TableRow key={`${s.cluster}/${s.namespace}/${s.name}`}>
            <TableCell>
              {s.podName} / {s.targetContainer}
              <Typography variant="caption" display="block">
                {s.cluster} · {s.namespace} · {s.name} · {s.mode}
              </Typography>
            </TableCell>
            <TableCell>{s.toolkit ?? s.image}</TableCell>
            <TableCell>
              <Chip
                size="small"
                label={s.phase ?? 'Pending'}
                color={s.phase === 'Active' ? 'primary' : 'default'}
              />
            </TableCell>
            <TableCell>{s.requestedBy ?? '—'}</TableCell>
            <TableCell>{when(s.createdAt)}</TableCell>
            <TableCell>{when(open ? s.expiresAt : s.endedAt)}</TableCell>
            {open && (
              <TableCell align="right">
                <Button
                  size="small"
                  color="primary"
                  disabled={s.phase !== 'Active'}
                  onClick={() => onAttach?.(s)}
                  aria-label={`Attach to ${s.name}`}
                >
                  Attach
                </Button>
                <Button
                  size="small"
                  onClick={() => onEnd?.(s)}
                  aria-label={`End ${s.name}`}
                >
                  End
                </Button>
              </TableCell>
            )}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** The entity's debug sessions: open ones to attach to or end, and past ones. */
export function SessionsList({
  entityRef,
  reloadKey,
  onAttach,
}: SessionsListProps) {
  const api = useApi(debugTerminalApiRef);
  const [endError, setEndError] = useState<string>();
  const sessions = useAsyncRetry(
    () => api.listSessions(entityRef),
    [api, entityRef],
  );
  const { retry } = sessions;
  useEffect(() => {
    if (reloadKey) retry();
  }, [reloadKey, retry]);
  // A Pending session turns Active (or Failed) without anyone asking.
  const pending = sessions.value?.items.some(
    s => s.phase === undefined || s.phase === 'Pending',
  );
  useInterval(retry, pending ? PENDING_REFRESH_MS : null);

  const ref = (s: DebugSessionSummary): EntitySessionRef => ({
    cluster: s.cluster,
    namespace: s.namespace,
    name: s.name,
    entityRef,
  });
  const end = async (s: DebugSessionSummary) => {
    setEndError(undefined);
    try {
      await api.endSession(ref(s));
    } catch (e) {
      setEndError((e as Error).message);
    }
    retry();
  };

  let content;
  if (sessions.loading && !sessions.value) content = <Progress />;
  else if (sessions.error)
    content = <ResponseErrorPanel error={sessions.error} />;
  else if (!sessions.value?.items.length)
    content = (
      <Typography variant="body2">
        No debug sessions yet. Start one with Debug on a container above.
      </Typography>
    );
  else {
    const { open, past } = splitSessions(sessions.value.items);
    content = (
      <>
        <Typography variant="subtitle1">Open ({open.length})</Typography>
        {open.length ? (
          <SessionRows
            sessions={open}
            open
            onAttach={s =>
              onAttach(ref(s), `${s.podName} / ${s.targetContainer}`)
            }
            onEnd={end}
          />
        ) : (
          <Typography variant="body2" paragraph>
            No open sessions.
          </Typography>
        )}
        <Typography variant="subtitle1">Past ({past.length})</Typography>
        {past.length ? (
          <SessionRows sessions={past} open={false} />
        ) : (
          <Typography variant="body2">No past sessions.</Typography>
        )}
      </>
    );
  }
  return (
    <InfoCard
      title="Debug sessions"
      action={
        <Button size="small" aria-label="Refresh sessions" onClick={retry}>
          Refresh
        </Button>
      }
    >
      {endError && <Alert severity="error">{endError}</Alert>}
      {content}
    </InfoCard>
  );
}
