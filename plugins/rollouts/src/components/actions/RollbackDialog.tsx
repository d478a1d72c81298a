import { useState } from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  Radio,
  RadioGroup,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { actionRefusal, StoneDetail } from '@cairn/plugin-rollouts-common';
import { errorMessage } from './errorMessage';
import { TemplateDiff } from './TemplateDiff';
import { formatTime } from '../time';

/**
 * Roll back to one of the Stone's revisions, after seeing the diff between
 * the Stone's template and the revision's.
 */
export function RollbackDialog(props: {
  detail: StoneDetail;
  onClose: () => void;
  onRollback: (revision: string) => Promise<void>;
}) {
  const { detail } = props;
  const choices = detail.revisions.filter(
    r => !actionRefusal(detail.stone, { type: 'rollback', revision: r.name }),
  );
  const [selected, setSelected] = useState(choices[0]?.name);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const revision = choices.find(r => r.name === selected);
  const rollback = async () => {
    if (!selected) return;
    setBusy(true);
    setError(undefined);
    try {
      await props.onRollback(selected);
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  };
  return (
    <Dialog open onClose={props.onClose} maxWidth="md" fullWidth>
      <DialogTitle>Roll back {detail.summary.name}</DialogTitle>
      <DialogContent>
        {choices.length === 0 ? (
          <Typography variant="body2">
            There is no earlier revision to roll back to (the current revision
            is left by aborting the update).
          </Typography>
        ) : (
          <RadioGroup
            aria-label="Revision"
            value={selected ?? ''}
            onChange={e => setSelected(e.target.value)}
          >
            {choices.map(r => (
              <FormControlLabel
                key={r.name}
                value={r.name}
                control={<Radio />}
                label={`${r.name} (revision ${r.revision}, ${formatTime(
                  r.createdAt,
                )})`}
              />
            ))}
          </RadioGroup>
        )}
        {revision && (
          <TemplateDiff
            before={detail.stone.spec.template}
            after={revision.template}
            label="Template diff"
          />
        )}
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
          onClick={rollback}
          disabled={busy || !revision}
        >
          Roll back
        </Button>
      </DialogActions>
    </Dialog>
  );
}
