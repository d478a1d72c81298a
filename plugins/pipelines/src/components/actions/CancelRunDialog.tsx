import { useState } from 'react';
import {
  Dialog,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  Radio,
  RadioGroup,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { CANCEL_MODES, CancelMode } from '@cairn/plugin-pipelines-common';
import { SubmitActions, useSubmit } from './submitting';

/** Asks how to cancel a run, then does it. */
export function CancelRunDialog(props: {
  open: boolean;
  runName: string;
  onCancel: (mode: CancelMode) => Promise<void>;
  onClose: () => void;
}) {
  const [mode, setMode] = useState<CancelMode>('Cancelled');
  const { busy, failure, submit } = useSubmit(() => props.onCancel(mode), {
    settle: true,
  });
  return (
    <Dialog open={props.open} onClose={busy ? undefined : props.onClose}>
      <DialogTitle>Cancel {props.runName}</DialogTitle>
      <DialogContent>
        <RadioGroup
          value={mode}
          onChange={e => setMode(e.target.value as CancelMode)}
        >
          {CANCEL_MODES.map(m => (
            <FormControlLabel
              key={m.mode}
              value={m.mode}
              control={<Radio />}
              label={
                <span>
                  <strong>{m.mode}</strong> — {m.explanation}
                </span>
              }
            />
          ))}
        </RadioGroup>
        {failure && <Alert severity="error">{failure}</Alert>}
      </DialogContent>
      <SubmitActions
        busy={busy}
        submitLabel="Cancel run"
        color="secondary"
        onClose={props.onClose}
        onSubmit={submit}
      />
    </Dialog>
  );
}
