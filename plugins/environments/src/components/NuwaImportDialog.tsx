import { useState } from 'react';
import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { useApi } from '@backstage/core-plugin-api';
import type { TopologyNode } from '@cairn/plugin-environments-common';
import { environmentsApiRef } from '../api';

/** Rows of the preview drawn at most; an import of all nodes lists the rest as a count. */
const PREVIEW_ROWS = 100;

/**
 * The preview of an import of the original system's node labels
 * (`nuwa.kubernetes.io/*`): per node the labels the import will write,
 * as the server computed them for the topology; then the import itself
 * (the server computes them again from the labels it has then).
 */
export function NuwaImportDialog(props: {
  cluster: string;
  /** The nodes to import, each with its `nuwaImport`. */
  nodes: TopologyNode[];
  /** Whether this is every node with labels to import (the request says so). */
  all: boolean;
  onClose: () => void;
  onImported: () => void;
}) {
  const api = useApi(environmentsApiRef);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const { nodes } = props;

  const apply = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.importNodeLabels(
        props.cluster,
        props.all ? { all: true } : { nodes: nodes.map(n => n.name) },
      );
      props.onImported();
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };

  const moved = nodes.filter(n => n.environments.length > 0);
  return (
    <Dialog open onClose={props.onClose} maxWidth="md">
      <DialogTitle>
        Import nuwa labels of{' '}
        {nodes.length === 1 ? nodes[0].name : `${nodes.length} nodes`}
      </DialogTitle>
      <DialogContent>
        <Typography variant="body2" paragraph>
          Writes the topology labels Cairn reads from the original system's
          (nuwa.kubernetes.io/zone, rack, host) where a node lacks them. A label
          the node has already stays as it is.
        </Typography>
        <Box
          component="ul"
          aria-label="labels to write"
          maxHeight={360}
          overflow="auto"
          pl={2}
        >
          {nodes.slice(0, PREVIEW_ROWS).map(node => (
            <li key={node.name}>
              <strong>{node.name}</strong>:{' '}
              {Object.entries(node.nuwaImport ?? {})
                .map(([key, value]) => `${key}=${value}`)
                .join(', ')}
            </li>
          ))}
          {nodes.length > PREVIEW_ROWS && (
            <li>… and {nodes.length - PREVIEW_ROWS} more nodes</li>
          )}
        </Box>
        {moved.length > 0 && (
          <Alert severity="warning">
            {moved.length === 1
              ? `${moved[0].name} belongs to ${moved[0].environments.join(
                  ', ',
                )}`
              : `${moved.length} of these nodes belong to environments`}
            : new labels may move nodes into or out of environments.
          </Alert>
        )}
        {error && (
          <Alert severity="error" role="alert">
            {error}
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={busy}
          onClick={apply}
        >
          Import labels
        </Button>
      </DialogActions>
    </Dialog>
  );
}
