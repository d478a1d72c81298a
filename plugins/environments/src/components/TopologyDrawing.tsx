import { memo, useMemo, useRef, useState } from 'react';
import { Box, Typography } from '@material-ui/core';
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
  // Zone and rack titles are plain elements, not Typography or ButtonBase:
  // a drawing has a hundred of them, each a styled component to render.
  title: {
    ...theme.typography.subtitle2,
    display: 'block',
    width: '100%',
    textAlign: 'left',
    margin: 0,
    padding: theme.spacing(0.25, 0.5),
    border: 0,
    borderRadius: theme.shape.borderRadius,
    background: 'transparent',
    color: 'inherit',
  },
  nodes: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(0.5),
    marginTop: theme.spacing(0.5),
  },
  node: {
    width: 92,
    // The node's lines are its text's lines: no <br> elements per tile.
    whiteSpace: 'pre-line',
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
  // After node and placed, which it overrides (a chosen host is also placed).
  chosen: {
    background: theme.palette.primary.main,
    color: theme.palette.primary.contrastText,
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
 * its pods, environments and readiness in its text. Memoised, with a
 * click handler shared by every tile, so a click redraws only the tiles
 * whose state it changes.
 */
const NodeTile = memo(function Tile(props: {
  node: TopologyNode;
  classes: ReturnType<typeof useStyles>;
  placed: boolean;
  chosen: boolean;
  selected: boolean;
  onClick?: (node: TopologyNode) => void;
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
  }${node.ready ? '' : ', not Ready'}${
    node.nuwaImport ? ', nuwa labels to import' : ''
  }`;
  // One text node for the lines under the name.
  const lines = [
    '',
    `${node.pods} pods`,
    ...(node.environments.length ? [node.environments.join(', ')] : []),
    ...(node.ready ? [] : ['not Ready']),
  ].join('\n');
  const content = (
    <>
      <strong>{node.name}</strong>
      {lines}
    </>
  );
  const { onClick } = props;
  return onClick ? (
    <button
      type="button"
      className={className}
      onClick={() => onClick(node)}
      aria-label={label}
      aria-pressed={props.chosen || props.selected}
      data-node={node.name}
    >
      {content}
    </button>
  ) : (
    <div className={className} aria-label={label} data-node={node.name}>
      {content}
    </div>
  );
});

/** Tiles a list draws at first; a longer one (a rack of hundreds, the unlabelled nodes of a new cluster) draws the rest on demand. */
const FIRST_TILES = 120;

/** A list of node tiles, long ones cut at {@link FIRST_TILES} until ops ask for all. */
function TileList(props: {
  nodes: TopologyNode[];
  className: string;
  tile: (node: TopologyNode) => JSX.Element;
}) {
  const [all, setAll] = useState(false);
  const { nodes } = props;
  const shown = all ? nodes : nodes.slice(0, FIRST_TILES);
  return (
    <div className={props.className}>
      {shown.map(props.tile)}
      {shown.length < nodes.length && (
        <button type="button" onClick={() => setAll(true)}>
          Show all {nodes.length} nodes ({nodes.length - shown.length} more)
        </button>
      )}
    </div>
  );
}

/**
 * The nodes, each the very object of the previous render when it has not
 * changed: a refetch (on every signal of the cluster) then redraws only
 * the tiles of the nodes that changed, not all of them.
 */
function useStableNodes(nodes: TopologyNode[]): TopologyNode[] {
  const previous = useRef(
    new Map<string, { json: string; node: TopologyNode }>(),
  );
  return useMemo(() => {
    const next = new Map<string, { json: string; node: TopologyNode }>();
    const stable = nodes.map(node => {
      const json = JSON.stringify(node);
      const known = previous.current.get(node.name);
      const kept = known?.json === json ? known.node : node;
      next.set(node.name, { json, node: kept });
      return kept;
    });
    previous.current = next;
    return stable;
  }, [nodes]);
}

/**
 * A cluster's nodes drawn as zones → racks → nodes, the unlabelled ones
 * apart: the placement picker (click a zone, a rack or a node to bind it)
 * and the view of which nodes an environment has and what runs on them.
 */
export function TopologyDrawing(props: TopologyDrawingProps) {
  const classes = useStyles();
  const { nodes, placed, mode } = props;
  const stableNodes = useStableNodes(nodes);
  const tree = useMemo(() => topologyTree(stableNodes), [stableNodes]);
  const chosen = (level: PlacementLevel, value?: string) =>
    mode.kind === 'placement' &&
    value !== undefined &&
    (mode.placement?.[level] ?? []).includes(value);

  const title = (level: PlacementLevel, value: string, text: string) =>
    mode.kind === 'placement' ? (
      <button
        type="button"
        className={`${classes.title} ${classes.clickable} ${
          chosen(level, value) ? classes.chosen : ''
        }`}
        onClick={() => mode.onToggle(level, value)}
        aria-pressed={chosen(level, value)}
      >
        {text}
      </button>
    ) : (
      <div className={classes.title}>{text}</div>
    );

  // One handler for every tile, changing only with the parent's callbacks.
  const onSelect = mode.kind === 'select' ? mode.onSelect : undefined;
  const onToggle = mode.kind === 'placement' ? mode.onToggle : undefined;
  const click = useMemo(() => {
    if (onSelect) return (node: TopologyNode) => onSelect(node.name);
    if (onToggle) {
      return (node: TopologyNode) => onToggle('hosts', node.host!);
    }
    return undefined;
  }, [onSelect, onToggle]);

  const tile = (node: TopologyNode) => (
    <NodeTile
      key={node.name}
      node={node}
      classes={classes}
      placed={placed?.has(node.name) ?? false}
      chosen={chosen('hosts', node.host)}
      selected={mode.kind === 'select' && mode.selected.has(node.name)}
      // In the placement picker a node is picked by its host label.
      onClick={onToggle && node.host === undefined ? undefined : click}
    />
  );

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
                    <div className={classes.title}>No rack label</div>
                  )}
                  <TileList
                    nodes={rack.nodes}
                    className={classes.nodes}
                    tile={tile}
                  />
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
          <TileList
            nodes={tree.unlabelled}
            className={classes.nodes}
            tile={tile}
          />
        </Box>
      )}
      {nodes.length === 0 && (
        <Typography color="textSecondary">The cluster has no nodes.</Typography>
      )}
    </Box>
  );
}
