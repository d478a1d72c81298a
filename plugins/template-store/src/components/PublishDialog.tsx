import { useApi } from '@backstage/core-plugin-api';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  TextField,
} from '@material-ui/core';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { templateStoreApiRef } from '@cairn/plugin-template-store-react';

/**
 * Publish pasted YAML under a group: a new template, or a new version of one
 * the group owns. The server checks the permission and that the version is
 * above the latest, and says why it refuses.
 */
export function PublishDialog({
  open,
  onClose,
}: {
  open: boolean;
  onClose: () => void;
}) {
  const api = useApi(templateStoreApiRef);
  const navigate = useNavigate();
  const [owner, setOwner] = useState('');
  const [version, setVersion] = useState('0.1');
  const [yaml, setYaml] = useState('');
  const [busy, setBusy] = useState(false);
  // Shown in the dialog, which stays open so the YAML can be fixed.
  const [error, setError] = useState<string>();
  const publish = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const published = await api.publish({ owner, version, yaml });
      onClose();
      navigate(`${published.kind}/${published.name}`);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open} onClose={onClose} fullWidth maxWidth="md">
      <DialogTitle>Publish a Task, Pipeline or StepAction</DialogTitle>
      <DialogContent>
        {error && <Alert severity="error">{error}</Alert>}
        <TextField
          id="publish-owner"
          label="Owner group"
          placeholder="group:default/team-payments"
          fullWidth
          margin="dense"
          value={owner}
          onChange={e => setOwner(e.target.value)}
        />
        <TextField
          id="publish-version"
          label="Version"
          helperText="Above the template's latest version, e.g. 0.2 or 1.0.0"
          margin="dense"
          value={version}
          onChange={e => setVersion(e.target.value)}
        />
        <TextField
          id="publish-yaml"
          label="YAML"
          fullWidth
          multiline
          minRows={12}
          margin="dense"
          variant="outlined"
          value={yaml}
          onChange={e => setYaml(e.target.value)}
          inputProps={{ style: { fontFamily: 'monospace' } }}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          color="primary"
          disabled={busy || !owner || !version || !yaml}
          onClick={publish}
        >
          Publish
        </Button>
      </DialogActions>
    </Dialog>
  );
}
