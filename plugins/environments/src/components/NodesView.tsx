import { useState } from 'react';
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
  describeIssues,
  labelNodesBodySchema,
  LabelNodesRequest,
} from '@cairn/plugin-environments-common';
import { environmentsApiRef } from '../api';
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
  const moved = props.topology.nodes.filter(
    n => props.nodes.includes(n.name) && n.environments.length > 0,
  );

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

/**
 * A cluster's nodes as zones → racks → hosts with pods and environments
 * per node; ops select nodes and write their zone, rack or host label.
 */
export function NodesView(props: {
  topology: ClusterTopology;
  onChanged: () => void;
}) {
  const { topology } = props;
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [labelling, setLabelling] = useState(false);
  const toggle = (node: string) =>
    setSelected(current => {
      const next = new Set(current);
      if (next.has(node)) next.delete(node);
      else next.add(node);
      return next;
    });
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
      {topology.canLabel && (
        <Typography variant="body2" color="textSecondary" paragraph>
          Click nodes to select them, then label them.
        </Typography>
      )}
      <TopologyDrawing
        nodes={topology.nodes}
        mode={
          topology.canLabel
            ? { kind: 'select', selected, onSelect: toggle }
            : { kind: 'view' }
        }
      />
      {labelling && (
        <LabelDialog
          topology={topology}
          nodes={[...selected].sort()}
          onClose={() => setLabelling(false)}
          onLabelled={() => {
            setLabelling(false);
            setSelected(new Set());
            props.onChanged();
          }}
        />
      )}
    </InfoCard>
  );
}
