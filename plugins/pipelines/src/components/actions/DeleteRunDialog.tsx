import { useState } from 'react';
import {
  Button,
  CircularProgress,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { errorMessage } from './errorMessage';

/** Confirms deleting a run with its task runs and pods. */
export function DeleteRunDialog(props: {
  open: boolean;
  runName: string;
  onDelete: () => Promise<void>;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string>();
  const submit = async () => {
    setBusy(true);
    setFailure(undefined);
    try {
      await props.onDelete();
    } catch (e) {
      setFailure(errorMessage(e));
      setBusy(false);
    }
  };
  return (
    <Dialog open={props.open} onClose={busy ? undefined : props.onClose}>
      <DialogTitle>Delete {props.runName}?</DialogTitle>
      <DialogContent>
        <DialogContentText>
          The run is deleted with its task runs and pods, and their logs. This
          cannot be undone.
        </DialogContentText>
        {failure && <Alert severity="error">{failure}</Alert>}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose} disabled={busy}>
          Keep it
        </Button>
        <Button
          color="secondary"
          variant="contained"
          onClick={submit}
          disabled={busy}
          startIcon={busy ? <CircularProgress size={16} /> : undefined}
        >
          Delete
        </Button>
      </DialogActions>
    </Dialog>
  );
}
