import { useCallback, useMemo, useState } from 'react';
import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  ClusterTopology,
  labelNodesBodySchema,
  LabelNodesRequest,
} from '@cairn/plugin-environments-common';
import { describeIssues } from '@cairn/request-schemas';
import { environmentsApiRef } from '../api';
import { NuwaImportDialog } from './NuwaImportDialog';
import { TopologyDrawing } from './TopologyDrawing';

/**
 * The zone and rack (and host) labels to write on the selected nodes; a
 * blank field leaves that label as it is.
 */
function LabelDialog(props: {
  topology: ClusterTopology;
  nodes: string[];
  onClose: () => void;
  onLabelled: () => void;
}) {
  const api = useApi(environmentsApiRef);
  const single =
    props.nodes.length === 1
      ? props.topology.nodes.find(n => n.name === props.nodes[0])
      : undefined;
  const [zone, setZone] = useState(single?.zone ?? '');
  const [rack, setRack] = useState(single?.rack ?? '');
  const [host, setHost] = useState(single?.host ?? '');
  const [error, setError] = useState<string>();
  const moved = useMemo(() => {
    const chosen = new Set(props.nodes);
    return props.topology.nodes.filter(
      n => chosen.has(n.name) && n.environments.length > 0,
    );
  }, [props.nodes, props.topology.nodes]);

  const save = async () => {
    const request: LabelNodesRequest = {
      nodes: props.nodes,
      ...(zone.trim() ? { zone: zone.trim() } : {}),
      ...(rack.trim() ? { rack: rack.trim() } : {}),
      ...(host.trim() && single ? { host: host.trim() } : {}),
    };
    const parsed = labelNodesBodySchema.safeParse(request);
    if (!parsed.success) {
      setError(describeIssues(parsed.error).join('; '));
      return;
    }
    try {
      await api.labelNodes(props.topology.cluster, request);
      props.onLabelled();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const { labels } = props.topology;
  return (
    <Dialog open onClose={props.onClose}>
      <DialogTitle>
        Label{' '}
        {props.nodes.length === 1
          ? props.nodes[0]
          : `${props.nodes.length} nodes`}
      </DialogTitle>
      <DialogContent>
        <TextField
          fullWidth
          margin="dense"
          id="node-label-zone"
          label="Zone"
          helperText={labels.zone}
          value={zone}
          onChange={e => setZone(e.target.value)}
        />
        <TextField
          fullWidth
          margin="dense"
          id="node-label-rack"
          label="Rack"
          helperText={labels.rack}
          value={rack}
          onChange={e => setRack(e.target.value)}
        />
        {single && (
          <TextField
            fullWidth
            margin="dense"
            id="node-label-host"
            label="Host"
            helperText={labels.host}
            value={host}
            onChange={e => setHost(e.target.value)}
          />
        )}
        {moved.length > 0 && (
          <Alert severity="warning">
            {moved
              .map(
                n =>
                  `${n.name} (${n.pods} pods) belongs to ${n.environments.join(
                    ', ',
                  )}`,
              )
              .join('; ')}
            : a new label may move it out of those environments.
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
        <Button color="primary" variant="contained" onClick={save}>
          Write labels
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/** Which nuwa import the dialog previews: the selected nodes' or every node's. */
type Importing = 'selected' | 'all' | undefined;

/**
 * A cluster's nodes as zones → racks → hosts with pods and environments
 * per node; ops select nodes and write their zone, rack or host label, and
 * import the labels of nodes the original system labelled.
 */
export function NodesView(props: {
  topology: ClusterTopology;
  onChanged: () => void;
}) {
  const { topology } = props;
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [labelling, setLabelling] = useState(false);
  const [importing, setImporting] = useState<Importing>();
  // Stable, so a selection redraws only the tiles it changes.
  const toggle = useCallback(
    (node: string) =>
      setSelected(current => {
        const next = new Set(current);
        if (next.has(node)) next.delete(node);
        else next.add(node);
        return next;
      }),
    [],
  );
  const importable = useMemo(
    () => topology.nodes.filter(n => n.nuwaImport),
    [topology.nodes],
  );
  const selectedImportable = importable.filter(n => selected.has(n.name));
  const mode = useMemo(
    () =>
      topology.canLabel
        ? ({ kind: 'select', selected, onSelect: toggle } as const)
        : ({ kind: 'view' } as const),
    [topology.canLabel, selected, toggle],
  );
  const done = () => {
    setLabelling(false);
    setImporting(undefined);
    setSelected(new Set());
    props.onChanged();
  };
  return (
    <InfoCard
      title={`Nodes of cluster ${topology.cluster}`}
      subheader={`${topology.nodes.length} nodes by ${topology.labels.zone}, ${topology.labels.rack}, ${topology.labels.host}`}
      action={
        topology.canLabel && (
          <Box display="flex" gridGap={8}>
            {selected.size > 0 && (
              <Button onClick={() => setSelected(new Set())}>
                Clear selection
              </Button>
            )}
            {selectedImportable.length > 0 && (
              <Button
                variant="outlined"
                color="primary"
                onClick={() => setImporting('selected')}
              >
                Import nuwa labels ({selectedImportable.length})
              </Button>
            )}
            <Button
              variant="outlined"
              color="primary"
              disabled={selected.size === 0}
              onClick={() => setLabelling(true)}
            >
              Label selected ({selected.size})
            </Button>
          </Box>
        )
      }
    >
      {importable.length > 0 && (
        <Box mb={2}>
          <Alert
            severity="info"
            action={
              topology.canLabel && (
                <Button color="inherit" onClick={() => setImporting('all')}>
                  Import all ({importable.length})
                </Button>
              )
            }
          >
            {importable.length === 1
              ? '1 node has'
              : `${importable.length} nodes have`}{' '}
            the original system's topology labels (nuwa.kubernetes.io/*) but not
            all of {topology.labels.zone}, {topology.labels.rack},{' '}
            {topology.labels.host}
            {topology.canLabel
              ? ': import them, or select such nodes and import theirs.'
              : '.'}
          </Alert>
        </Box>
      )}
      {topology.canLabel && (
        <Typography variant="body2" color="textSecondary" paragraph>
          Click nodes to select them, then label them.
        </Typography>
      )}
      <TopologyDrawing nodes={topology.nodes} mode={mode} />
      {labelling && (
        <LabelDialog
          topology={topology}
          nodes={[...selected].sort()}
          onClose={() => setLabelling(false)}
          onLabelled={done}
        />
      )}
      {importing && (
        <NuwaImportDialog
          cluster={topology.cluster}
          nodes={importing === 'all' ? importable : selectedImportable}
          all={importing === 'all'}
          onClose={() => setImporting(undefined)}
          onImported={done}
        />
      )}
    </InfoCard>
  );
}
