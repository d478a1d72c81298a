import { useApi } from '@backstage/core-plugin-api';
import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  MenuItem,
  TextField,
  Typography,
} from '@material-ui/core';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { templateStoreApiRef } from '@cairn/plugin-template-store-react';

/**
 * Publish pasted YAML under a group: a new template, or a new version of one
 * the group owns. The YAML can be taken from a Task or Pipeline in a
 * namespace of a catalog entity (the cluster's object, without what the
 * cluster added). The server checks the permission and that the version is
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
  const [source, setSource] = useState({
    entityRef: '',
    cluster: 'dev',
    namespace: '',
    kind: 'Task' as 'Task' | 'Pipeline',
    name: '',
  });
  const loadFromCluster = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const { entityRef, ...where } = source;
      setYaml((await api.clusterTemplate(entityRef, where)).yaml);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const sourceField = (
    key: 'entityRef' | 'cluster' | 'namespace' | 'name',
    label: string,
  ) => (
    <TextField
      id={`publish-source-${key}`}
      label={label}
      margin="dense"
      value={source[key]}
      onChange={e => setSource({ ...source, [key]: e.target.value })}
    />
  );
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
        <Box
          mt={2}
          display="flex"
          flexWrap="wrap"
          alignItems="flex-end"
          style={{ gap: 8 }}
        >
          <Typography variant="subtitle2" style={{ width: '100%' }}>
            From a cluster (optional): a Task or Pipeline of an entity's
            namespace
          </Typography>
          {sourceField('entityRef', 'Entity')}
          {sourceField('cluster', 'Cluster')}
          {sourceField('namespace', 'Namespace')}
          <TextField
            select
            id="publish-source-kind"
            label="Kind"
            margin="dense"
            value={source.kind}
            onChange={e =>
              setSource({
                ...source,
                kind: e.target.value as 'Task' | 'Pipeline',
              })
            }
          >
            <MenuItem value="Task">Task</MenuItem>
            <MenuItem value="Pipeline">Pipeline</MenuItem>
          </TextField>
          {sourceField('name', 'Name')}
          <Button
            variant="outlined"
            disabled={
              busy ||
              !source.entityRef ||
              !source.cluster ||
              !source.namespace ||
              !source.name
            }
            onClick={loadFromCluster}
          >
            Take its YAML
          </Button>
        </Box>
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
