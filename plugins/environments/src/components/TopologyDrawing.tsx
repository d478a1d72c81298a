import { useMemo } from 'react';
import { Box, ButtonBase, Typography } from '@material-ui/core';
import { makeStyles } from '@material-ui/core/styles';
import type { EnvironmentPlacement } from '@cairn/operators-api';
import {
  PlacementLevel,
  TopologyNode,
  topologyTree,
} from '@cairn/plugin-environments-common';

const useStyles = makeStyles(theme => ({
  zones: { display: 'flex', flexWrap: 'wrap', gap: theme.spacing(2) },
  zone: {
    border: `2px solid ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
    padding: theme.spacing(1),
    minWidth: 200,
  },
  racks: { display: 'flex', flexWrap: 'wrap', gap: theme.spacing(1) },
  rack: {
    border: `1px dashed ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
    padding: theme.spacing(0.5),
  },
  title: {
    display: 'block',
    width: '100%',
    textAlign: 'left',
    padding: theme.spacing(0.25, 0.5),
    borderRadius: theme.shape.borderRadius,
  },
  chosen: {
    background: theme.palette.primary.main,
    color: theme.palette.primary.contrastText,
  },
  nodes: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(0.5),
    marginTop: theme.spacing(0.5),
  },
  node: {
    width: 92,
    padding: theme.spacing(0.5),
    border: `1px solid ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
    fontSize: 11,
    textAlign: 'left',
    display: 'block',
    background: theme.palette.background.paper,
    color: theme.palette.text.primary,
    font: 'inherit',
  },
  clickable: {
    cursor: 'pointer',
    '&:focus-visible': { outline: `2px solid ${theme.palette.primary.main}` },
  },
  placed: {
    background: theme.palette.type === 'dark' ? '#1b5e20' : '#c8e6c9',
  },
  selectedNode: { outline: `3px solid ${theme.palette.secondary.main}` },
  notReady: { opacity: 0.5 },
}));

/** What a click on the drawing does. */
export type TopologyDrawingMode =
  /** Clicking a zone, rack or node adds it to (or removes it from) the placement. */
  | {
      kind: 'placement';
      placement?: EnvironmentPlacement;
      onToggle: (level: PlacementLevel, value: string) => void;
    }
  /** Clicking a node selects it (for labelling). */
  | {
      kind: 'select';
      selected: Set<string>;
      onSelect: (node: string) => void;
    }
  | { kind: 'view' };

export interface TopologyDrawingProps {
  nodes: TopologyNode[];
  /** Nodes drawn as taken (an environment's, or a placement's preview). */
  placed?: Set<string>;
  mode: TopologyDrawingMode;
}

/**
 * One node: a plain element (no Material UI ButtonBase or Tooltip, whose
 * ripples and poppers a drawing of a thousand nodes cannot afford), with
 * its pods and environments in the text and the title.
 */
function NodeTile(props: {
  node: TopologyNode;
  classes: ReturnType<typeof useStyles>;
  placed: boolean;
  chosen: boolean;
  selected: boolean;
  onClick?: () => void;
}) {
  const { node, classes } = props;
  const className = [
    classes.node,
    props.onClick && classes.clickable,
    props.placed && classes.placed,
    props.chosen && classes.chosen,
    props.selected && classes.selectedNode,
    !node.ready && classes.notReady,
  ]
    .filter(Boolean)
    .join(' ');
  const label = `${node.name}: ${node.pods} pods${
    node.environments.length
      ? `, environments ${node.environments.join(', ')}`
      : ''
  }${node.ready ? '' : ', not Ready'}`;
  const content = (
    <>
      <strong>{node.name}</strong>
      <br />
      {node.pods} pods
      {node.environments.length > 0 && (
        <>
          <br />
          {node.environments.join(', ')}
        </>
      )}
    </>
  );
  return props.onClick ? (
    <button
      type="button"
      className={className}
      onClick={props.onClick}
      title={label}
      aria-label={label}
      aria-pressed={props.chosen || props.selected}
      data-node={node.name}
    >
      {content}
    </button>
  ) : (
    <div className={className} title={label} data-node={node.name}>
      {content}
    </div>
  );
}

/**
 * A cluster's nodes drawn as zones → racks → nodes, the unlabelled ones
 * apart: the placement picker (click a zone, a rack or a node to bind it)
 * and the view of which nodes an environment has and what runs on them.
 */
export function TopologyDrawing(props: TopologyDrawingProps) {
  const classes = useStyles();
  const { nodes, placed, mode } = props;
  const tree = useMemo(() => topologyTree(nodes), [nodes]);
  const chosen = (level: PlacementLevel, value?: string) =>
    mode.kind === 'placement' &&
    value !== undefined &&
    (mode.placement?.[level] ?? []).includes(value);

  const title = (level: PlacementLevel, value: string, text: string) =>
    mode.kind === 'placement' ? (
      <ButtonBase
        className={`${classes.title} ${
          chosen(level, value) ? classes.chosen : ''
        }`}
        onClick={() => mode.onToggle(level, value)}
        aria-pressed={chosen(level, value)}
      >
        <Typography variant="subtitle2">{text}</Typography>
      </ButtonBase>
    ) : (
      <Typography variant="subtitle2" className={classes.title}>
        {text}
      </Typography>
    );

  const tile = (node: TopologyNode) => {
    let onClick: (() => void) | undefined;
    if (mode.kind === 'placement' && node.host !== undefined) {
      onClick = () => mode.onToggle('hosts', node.host!);
    } else if (mode.kind === 'select') {
      onClick = () => mode.onSelect(node.name);
    }
    return (
      <NodeTile
        key={node.name}
        node={node}
        classes={classes}
        placed={placed?.has(node.name) ?? false}
        chosen={chosen('hosts', node.host)}
        selected={mode.kind === 'select' && mode.selected.has(node.name)}
        onClick={onClick}
      />
    );
  };

  return (
    <Box>
      <div className={classes.zones}>
        {tree.zones.map(zone => (
          <section
            key={zone.zone}
            className={classes.zone}
            aria-label={`zone ${zone.zone}`}
          >
            {title('zones', zone.zone, `Zone ${zone.zone}`)}
            <div className={classes.racks}>
              {zone.racks.map(rack => (
                <div
                  key={rack.rack ?? ''}
                  className={classes.rack}
                  aria-label={rack.rack ? `rack ${rack.rack}` : 'no rack'}
                >
                  {rack.rack ? (
                    title('racks', rack.rack, `Rack ${rack.rack}`)
                  ) : (
                    <Typography variant="subtitle2" className={classes.title}>
                      No rack label
                    </Typography>
                  )}
                  <div className={classes.nodes}>{rack.nodes.map(tile)}</div>
                </div>
              ))}
            </div>
          </section>
        ))}
      </div>
      {tree.unlabelled.length > 0 && (
        <Box mt={2} aria-label="unlabelled nodes" component="section">
          <Typography variant="subtitle2">
            Nodes without a zone label ({tree.unlabelled.length})
          </Typography>
          <div className={classes.nodes}>{tree.unlabelled.map(tile)}</div>
        </Box>
      )}
      {nodes.length === 0 && (
        <Typography color="textSecondary">The cluster has no nodes.</Typography>
      )}
    </Box>
  );
}
