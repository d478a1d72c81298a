import { useState } from 'react';
import {
  Box,
  Button,
  makeStyles,
  Tooltip,
  Typography,
} from '@material-ui/core';
import {
  StoneDetail,
  StonePod,
  stoneTopology,
  TopologyCounts,
  TopologyRack,
} from '@cairn/plugin-rollouts-common';
import { since } from './time';

/** Above this many pods, racks start collapsed to their counts. */
const COLLAPSE_RACKS_ABOVE = 60;

const useStyles = makeStyles(theme => ({
  zones: { display: 'flex', flexWrap: 'wrap', gap: theme.spacing(2) },
  zone: {
    flex: '1 1 280px',
    border: `1px solid ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
    padding: theme.spacing(1),
  },
  rack: {
    borderLeft: `3px solid ${theme.palette.divider}`,
    paddingLeft: theme.spacing(1),
    marginTop: theme.spacing(1),
  },
  host: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    padding: theme.spacing(0.25, 0.5),
    borderRadius: theme.shape.borderRadius,
  },
  lost: {
    borderColor: theme.palette.error.main,
    backgroundColor:
      theme.palette.type === 'dark'
        ? 'rgba(244, 67, 54, 0.15)'
        : 'rgba(244, 67, 54, 0.08)',
  },
  pods: { display: 'flex', flexWrap: 'wrap', gap: 2 },
  pod: {
    width: 12,
    height: 12,
    borderRadius: 2,
    display: 'inline-block',
  },
  updatedReady: { backgroundColor: theme.palette.success.main },
  updatedNotReady: { backgroundColor: theme.palette.warning.main },
  currentReady: { backgroundColor: theme.palette.info.main },
  currentNotReady: { backgroundColor: theme.palette.error.main },
  terminating: {
    backgroundColor: 'transparent',
    border: `1px dashed ${theme.palette.text.secondary}`,
  },
  legend: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(1),
  },
}));

type PodClass =
  | 'updatedReady'
  | 'updatedNotReady'
  | 'currentReady'
  | 'currentNotReady'
  | 'terminating';

function podClass(pod: StonePod, updateRevision?: string): PodClass {
  if (pod.deletionTimestamp) return 'terminating';
  const updated =
    updateRevision !== undefined && pod.revision === updateRevision;
  if (updated) return pod.ready ? 'updatedReady' : 'updatedNotReady';
  return pod.ready ? 'currentReady' : 'currentNotReady';
}

const LEGEND: Array<[PodClass, string]> = [
  ['updatedReady', 'update revision, ready'],
  ['updatedNotReady', 'update revision, not ready'],
  ['currentReady', 'current revision, ready'],
  ['currentNotReady', 'current revision, not ready'],
  ['terminating', 'being deleted'],
];

function describeCounts(c: TopologyCounts): string {
  const parts = [`${c.pods} pods`, `${c.updated} updated`, `${c.ready} ready`];
  if (c.notReady) parts.push(`${c.notReady} not ready`);
  if (c.terminating) parts.push(`${c.terminating} being deleted`);
  if (c.missing) parts.push(`lost ${c.missing} of ${c.expected}`);
  return parts.join(' · ');
}

function PodSquare(props: { pod: StonePod; updateRevision?: string }) {
  const classes = useStyles();
  const { pod } = props;
  const kind = podClass(pod, props.updateRevision);
  const label = `${pod.name}: ${LEGEND.find(([k]) => k === kind)![1]}, ${
    pod.restarts
  } restarts, age ${since(pod.createdAt)}`;
  return (
    <Tooltip
      title={
        <>
          <div>
            <strong>{pod.name}</strong> ({pod.phase})
          </div>
          <div>revision {pod.revision ?? 'unknown'}</div>
          <div>{pod.ready ? 'ready' : 'not ready'}</div>
          <div>restarts {pod.restarts}</div>
          <div>age {since(pod.createdAt)}</div>
        </>
      }
    >
      <span
        role="img"
        aria-label={label}
        className={`${classes.pod} ${classes[kind]}`}
      />
    </Tooltip>
  );
}

function RackView(props: {
  rack: TopologyRack;
  updateRevision?: string;
  collapsed: boolean;
}) {
  const classes = useStyles();
  const [open, setOpen] = useState(!props.collapsed);
  const { rack } = props;
  return (
    <div
      className={`${classes.rack} ${rack.missing ? classes.lost : ''}`}
      data-testid={`rack-${rack.rack}`}
    >
      <Box display="flex" alignItems="center" justifyContent="space-between">
        <Typography variant="subtitle2">
          {rack.rack}{' '}
          <Typography variant="caption" component="span">
            {describeCounts(rack)}
          </Typography>
        </Typography>
        <Button size="small" onClick={() => setOpen(o => !o)}>
          {open ? 'Collapse' : `Show ${rack.hosts.length} hosts`}
        </Button>
      </Box>
      {open &&
        rack.hosts.map(host => (
          <div
            key={host.host}
            className={`${classes.host} ${host.missing ? classes.lost : ''}`}
            data-testid={`host-${host.host}`}
          >
            <Typography variant="caption" style={{ minWidth: 110 }}>
              {host.host}
              {host.missing ? ` — lost ${host.missing}` : ''}
            </Typography>
            <div className={classes.pods}>
              {host.podList.map(pod => (
                <PodSquare
                  key={pod.name}
                  pod={pod}
                  updateRevision={props.updateRevision}
                />
              ))}
            </div>
          </div>
        ))}
    </div>
  );
}

/**
 * A Stone's pods as zones → racks → hosts, each pod a square coloured by
 * revision and readiness; racks and hosts that lost pods stand out. Past
 * {@link COLLAPSE_RACKS_ABOVE} pods, racks start collapsed to their counts.
 */
export function StoneTopologyView(props: {
  detail: Pick<StoneDetail, 'stone' | 'pods'>;
}) {
  const classes = useStyles();
  const topology = stoneTopology(props.detail);
  const collapsed = topology.pods > COLLAPSE_RACKS_ABOVE;
  return (
    <div>
      <div className={classes.legend}>
        {LEGEND.map(([kind, text]) => (
          <Box key={kind} display="flex" alignItems="center" gridGap={4}>
            <span className={`${classes.pod} ${classes[kind]}`} />
            <Typography variant="caption">{text}</Typography>
          </Box>
        ))}
      </div>
      <Typography variant="body2" gutterBottom>
        {describeCounts(topology)}
      </Typography>
      <div className={classes.zones}>
        {topology.zones.map(zone => (
          <section
            key={zone.zone}
            className={`${classes.zone} ${zone.missing ? classes.lost : ''}`}
            aria-label={`zone ${zone.zone}`}
          >
            <Typography variant="subtitle1">{zone.zone}</Typography>
            <Typography variant="caption">{describeCounts(zone)}</Typography>
            {zone.racks.map(rack => (
              <RackView
                key={rack.rack}
                rack={rack}
                updateRevision={topology.updateRevision}
                collapsed={collapsed}
              />
            ))}
          </section>
        ))}
      </div>
    </div>
  );
}
