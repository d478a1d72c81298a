import { ReactNode, useState } from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { errorMessage } from './errorMessage';

/**
 * The frame of every Stone action's dialog: its content, the server's error
 * when the action fails (the dialog stays open to try again), and Cancel
 * beside the action's button, both disabled while the request is under way.
 */
export function ActionDialog(props: {
  title: ReactNode;
  children: ReactNode;
  /** The action button's label, e.g. "Roll back". */
  action: string;
  /** The action cannot be taken yet (nothing chosen, input invalid, …). */
  disabled?: boolean;
  /** Room for tables and diffs. */
  wide?: boolean;
  onClose: () => void;
  onAction: () => Promise<void>;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const act = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await props.onAction();
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  };
  return (
    <Dialog
      open
      onClose={props.onClose}
      {...(props.wide ? { maxWidth: 'md', fullWidth: true } : {})}
    >
      <DialogTitle>{props.title}</DialogTitle>
      <DialogContent>
        {props.children}
        {error && (
          <Alert severity="error" role="alert">
            {error}
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose} disabled={busy}>
          Cancel
        </Button>
        <Button
          color="primary"
          variant="contained"
          onClick={act}
          disabled={busy || props.disabled}
        >
          {props.action}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
