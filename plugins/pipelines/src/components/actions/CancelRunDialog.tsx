import { useState } from 'react';
import {
  Button,
  CircularProgress,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  Radio,
  RadioGroup,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { CancelMode } from '../../api';
import { errorMessage } from './errorMessage';

/** Tekton's cancel modes and what each does. */
export const CANCEL_MODES: Array<{ mode: CancelMode; explanation: string }> = [
  {
    mode: 'Cancelled',
    explanation: 'Stop now: cancel running tasks and skip finally tasks.',
  },
  {
    mode: 'CancelledRunFinally',
    explanation: 'Stop now: cancel running tasks, then run finally tasks.',
  },
  {
    mode: 'StoppedRunFinally',
    explanation:
      'Start no new tasks: let running tasks finish, then run finally tasks.',
  },
];

/** Asks how to cancel a run, then does it. */
export function CancelRunDialog(props: {
  open: boolean;
  runName: string;
  onCancel: (mode: CancelMode) => Promise<void>;
  onClose: () => void;
}) {
  const [mode, setMode] = useState<CancelMode>('Cancelled');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string>();
  const submit = async () => {
    setBusy(true);
    setFailure(undefined);
    try {
      await props.onCancel(mode);
    } catch (e) {
      setFailure(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
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
      <DialogActions>
        <Button onClick={props.onClose} disabled={busy}>
          Close
        </Button>
        <Button
          color="secondary"
          variant="contained"
          onClick={submit}
          disabled={busy}
          startIcon={busy ? <CircularProgress size={16} /> : undefined}
        >
          Cancel run
        </Button>
      </DialogActions>
    </Dialog>
  );
}
