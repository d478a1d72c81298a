import { ReactNode, useState } from 'react';
import { Button, CircularProgress, DialogActions } from '@material-ui/core';
import { errorMessage } from './errorMessage';

/**
 * Runs an action on a click: busy while it runs, the server's message when it
 * fails. Dialogs close themselves on success (their parent unmounts them), so
 * `busy` is cleared only on failure unless `settle` is set.
 */
export function useSubmit<A extends unknown[]>(
  action: (...args: A) => Promise<void>,
  options: { settle?: boolean } = {},
) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string>();
  const submit = async (...args: A) => {
    setBusy(true);
    setFailure(undefined);
    try {
      await action(...args);
      if (options.settle) setBusy(false);
    } catch (e) {
      setFailure(errorMessage(e));
      setBusy(false);
    }
  };
  return { busy, failure, submit };
}

/** A dialog's close button and its submit button, which shows progress while busy. */
export function SubmitActions(props: {
  busy: boolean;
  closeLabel?: string;
  submitLabel: ReactNode;
  color: 'primary' | 'secondary';
  onClose: () => void;
  onSubmit: () => void;
}) {
  return (
    <DialogActions>
      <Button onClick={props.onClose} disabled={props.busy}>
        {props.closeLabel ?? 'Close'}
      </Button>
      <Button
        color={props.color}
        variant="contained"
        onClick={props.onSubmit}
        disabled={props.busy}
        startIcon={props.busy ? <CircularProgress size={16} /> : undefined}
      >
        {props.submitLabel}
      </Button>
    </DialogActions>
  );
}
