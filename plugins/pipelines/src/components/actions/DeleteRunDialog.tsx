import {
  Dialog,
  DialogContent,
  DialogContentText,
  DialogTitle,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { SubmitActions, useSubmit } from './submitting';

/** Confirms deleting a run with its task runs and pods. */
export function DeleteRunDialog(props: {
  open: boolean;
  runName: string;
  onDelete: () => Promise<void>;
  onClose: () => void;
}) {
  const { busy, failure, submit } = useSubmit(props.onDelete);
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
      <SubmitActions
        busy={busy}
        closeLabel="Keep it"
        submitLabel="Delete"
        color="secondary"
        onClose={props.onClose}
        onSubmit={submit}
      />
    </Dialog>
  );
}
