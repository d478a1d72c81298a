import { useState } from 'react';
import {
  Checkbox,
  FormControlLabel,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import type { StoneStage } from '@cairn/operators-api';
import { stagePreview, StoneDetail } from '@cairn/plugin-rollouts-common';
import { ActionDialog } from './ActionDialog';

/**
 * Approve the next stage, after seeing exactly which pods the operator will
 * move (names, hosts). `refusal` is what actionRefusal says without force:
 * the approval then needs an explicit force (the server lets ops only).
 */
export function ApproveDialog(props: {
  detail: StoneDetail;
  stage: StoneStage;
  refusal?: string;
  onClose: () => void;
  onApprove: (request: { comment?: string; force?: boolean }) => Promise<void>;
}) {
  const { detail, stage, refusal } = props;
  const pods = stagePreview(detail.stone, detail.pods, stage);
  const [comment, setComment] = useState('');
  const [force, setForce] = useState(false);
  return (
    <ActionDialog
      title={`Approve ${stage} of ${detail.summary.name}`}
      action={`Approve ${stage}`}
      disabled={!!refusal && !force}
      wide
      onClose={props.onClose}
      onAction={() =>
        props.onApprove({
          comment: comment.trim() || undefined,
          force: refusal ? true : undefined,
        })
      }
    >
      <Typography variant="body2" gutterBottom>
        {pods.length === 0
          ? 'No pod changes: every pod of the stage already runs the update revision.'
          : `${pods.length} pod(s) move to revision ${detail.summary.updateRevision}:`}
      </Typography>
      {pods.length > 0 && (
        <Table size="small" aria-label="Pods that will change">
          <TableHead>
            <TableRow>
              <TableCell>Pod</TableCell>
              <TableCell>Host</TableCell>
              <TableCell>Rack</TableCell>
              <TableCell>Zone</TableCell>
              <TableCell>Change</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {pods.map(pod => (
              <TableRow key={pod.name}>
                <TableCell>{pod.name}</TableCell>
                <TableCell>{pod.host ?? 'any'}</TableCell>
                <TableCell>{pod.rack ?? '—'}</TableCell>
                <TableCell>{pod.zone}</TableCell>
                <TableCell>
                  {pod.change === 'create'
                    ? 'created'
                    : `from ${pod.fromRevision ?? 'unknown revision'}`}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      <TextField
        id="approve-comment"
        label="Comment (optional)"
        value={comment}
        onChange={e => setComment(e.target.value)}
        fullWidth
        multiline
        margin="normal"
        inputProps={{ maxLength: 500 }}
        helperText={`${comment.length}/500`}
      />
      {refusal && (
        <>
          <Alert severity="warning">{refusal}</Alert>
          <FormControlLabel
            control={
              <Checkbox checked={force} onChange={(_, v) => setForce(v)} />
            }
            label="Approve anyway (force; ops only)"
          />
        </>
      )}
    </ActionDialog>
  );
}
