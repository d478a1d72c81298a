import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  Button,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import type { TerminalRecordingSummary } from '@cairn/plugin-debug-terminal-common';
import { debugTerminalApiRef } from '../api';
import { ReplayDialog } from './ReplayDialog';

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** The entity's recorded terminals, for ops to replay. */
export function RecordingsList({ entityRef }: { entityRef: string }) {
  const api = useApi(debugTerminalApiRef);
  const [replaying, setReplaying] = useState<TerminalRecordingSummary>();
  const recordings = useAsyncRetry(
    () => api.listRecordings({ entityRef }),
    [api, entityRef],
  );

  let content;
  if (recordings.loading && !recordings.value) content = <Progress />;
  else if (recordings.error)
    content = <ResponseErrorPanel error={recordings.error} />;
  else if (!recordings.value?.items.length)
    content = (
      <Typography variant="body2">No terminals were recorded yet.</Typography>
    );
  else
    content = (
      <Table size="small" aria-label="Recorded terminals">
        <TableHead>
          <TableRow>
            <TableCell>Who</TableCell>
            <TableCell>Pod / container</TableCell>
            <TableCell>Kind</TableCell>
            <TableCell>Started</TableCell>
            <TableCell>Ended</TableCell>
            <TableCell>Typed / shown</TableCell>
            <TableCell />
          </TableRow>
        </TableHead>
        <TableBody>
          {recordings.value.items.map(r => (
            <TableRow key={r.id}>
              <TableCell>{r.userEntityRef}</TableCell>
              <TableCell>
                {r.pod} / {r.container}
                <Typography variant="caption" display="block">
                  {r.cluster} · {r.namespace}
                </Typography>
              </TableCell>
              <TableCell>
                {r.kind === 'attach' ? `toolkit ${r.toolkit ?? ''}` : 'shell'}
              </TableCell>
              <TableCell>{new Date(r.startedAt).toLocaleString()}</TableCell>
              <TableCell>
                {r.endedAt ? new Date(r.endedAt).toLocaleString() : 'open'}
              </TableCell>
              <TableCell>
                {kib(r.bytesIn)} / {kib(r.bytesOut)}
                {r.truncated ? ' (cut at the size limit)' : ''}
              </TableCell>
              <TableCell align="right">
                <Button
                  size="small"
                  color="primary"
                  aria-label={`Replay recording ${r.id}`}
                  onClick={() => setReplaying(r)}
                >
                  Replay
                </Button>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    );

  return (
    <InfoCard
      title="Recorded terminals"
      subheader="Everything shown and typed in this entity's terminals; for ops"
      action={
        <Button
          size="small"
          aria-label="Refresh recordings"
          onClick={recordings.retry}
        >
          Refresh
        </Button>
      }
    >
      {content}
      {replaying && (
        <ReplayDialog
          recording={replaying}
          onClose={() => setReplaying(undefined)}
        />
      )}
    </InfoCard>
  );
}
