import dagre from '@dagrejs/dagre';
import type { BuilderGraph } from '@cairn/plugin-pipelines-common';

export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 72;
const RANK_GAP = 80;
const NODE_GAP = 32;
/** Space between the last task column and the finally lane. */
const LANE_GAP = 96;
const LANE_PADDING = 24;

/*
 * Dagre walks the graph recursively when it breaks cycles (dfsFAS), ranks
 * (network simplex) and first orders each rank, one call per rank deep: a
 * chain of a few thousand tasks overflows the stack. Past this depth those
 * steps are replaced by loops: greedy cycle breaking, ranks by longest path
 * from the first tasks, and a depth-first first order without dagre's
 * crossing-reduction sweeps.
 */
const DAGRE_MAX_DEPTH = 300;

type DagreGraph = InstanceType<typeof dagre.graphlib.Graph>;

/** Each node one rank right of the furthest node before it (plus the edge's `minlen`). */
function rankByLongestPath(g: DagreGraph) {
  const waiting = new Map<string, number>();
  for (const v of g.nodes()) waiting.set(v, g.inEdges(v)?.length ?? 0);
  const ready = g.nodes().filter(v => waiting.get(v) === 0);
  for (const v of ready) g.node(v).rank = 0;
  while (ready.length) {
    const v = ready.pop()!;
    const rank = g.node(v).rank!;
    for (const e of g.outEdges(v) ?? []) {
      const w = g.node(e.w);
      const minlen = (g.edge(e) as { minlen?: number }).minlen ?? 1;
      w.rank = Math.max(w.rank ?? 0, rank + minlen);
      const left = waiting.get(e.w)! - 1;
      waiting.set(e.w, left);
      if (left === 0) ready.push(e.w);
    }
  }
}

/** Dagre's first order (nodes in the order a depth-first walk from the first rank meets them), with a stack of its own. */
function orderDepthFirst(g: DagreGraph) {
  const visited = new Set<string>();
  const next = new Map<number, number>();
  const start = g.nodes().sort((a, b) => g.node(a).rank! - g.node(b).rank!);
  for (const root of start) {
    const stack = [root];
    while (stack.length) {
      const v = stack.pop()!;
      if (visited.has(v)) continue;
      visited.add(v);
      const node = g.node(v) as { rank: number; order?: number };
      node.order = next.get(node.rank) ?? 0;
      next.set(node.rank, node.order + 1);
      const successors = (g.successors(v) ?? []) as string[];
      for (let i = successors.length - 1; i >= 0; i--)
        stack.push(successors[i]);
    }
  }
}

const DEEP_GRAPH_OPTIONS = {
  acyclicer: 'greedy',
  // Dagre calls a function given as its ranker (its typings list only names).
  ranker: rankByLongestPath as unknown as string,
};

export interface BuilderLayout {
  /** Top-left corner of each node, by task name. */
  positions: Record<string, { x: number; y: number }>;
  /** The box of the finally lane, when the pipeline has finally tasks. */
  finallyLane?: { x: number; y: number; width: number; height: number };
}

/**
 * Lays `tasks` out left to right by their edges (dagre), and stacks the
 * finally tasks in their own lane to the right of everything else: they run
 * after all tasks, whatever their edges say.
 */
export function layoutBuilderGraph(graph: BuilderGraph): BuilderLayout {
  const tasks = graph.nodes.filter(n => !n.finally);
  const finallyTasks = graph.nodes.filter(n => n.finally);
  const names = new Set(tasks.map(n => n.name));

  const g = new dagre.graphlib.Graph();
  // A pipeline is at most as deep as it has tasks.
  const deep = tasks.length > DAGRE_MAX_DEPTH;
  g.setGraph({
    rankdir: 'LR',
    ranksep: RANK_GAP,
    nodesep: NODE_GAP,
    marginx: 0,
    marginy: 0,
    ...(deep ? DEEP_GRAPH_OPTIONS : {}),
  });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of tasks) {
    g.setNode(node.name, { width: NODE_WIDTH, height: NODE_HEIGHT });
  }
  for (const edge of graph.edges) {
    if (names.has(edge.from) && names.has(edge.to) && edge.from !== edge.to) {
      g.setEdge(edge.from, edge.to);
    }
  }
  dagre.layout(g, deep ? { customOrder: orderDepthFirst } : undefined);

  const positions: BuilderLayout['positions'] = {};
  let right = 0;
  let bottom = 0;
  for (const node of tasks) {
    const { x, y } = g.node(node.name);
    const pos = { x: x - NODE_WIDTH / 2, y: y - NODE_HEIGHT / 2 };
    positions[node.name] = pos;
    right = Math.max(right, pos.x + NODE_WIDTH);
    bottom = Math.max(bottom, pos.y + NODE_HEIGHT);
  }
  if (!finallyTasks.length) return { positions };

  const laneX = tasks.length ? right + LANE_GAP : 0;
  finallyTasks.forEach((node, i) => {
    positions[node.name] = {
      x: laneX + LANE_PADDING,
      y: LANE_PADDING * 1.5 + i * (NODE_HEIGHT + NODE_GAP),
    };
  });
  const laneHeight =
    LANE_PADDING * 2.5 +
    finallyTasks.length * (NODE_HEIGHT + NODE_GAP) -
    NODE_GAP;
  return {
    positions,
    finallyLane: {
      x: laneX,
      y: 0,
      width: NODE_WIDTH + LANE_PADDING * 2,
      height: Math.max(laneHeight, bottom),
    },
  };
}

/**
 * The zoom below which task names (14 px) get too small to read: a pipeline
 * that does not fit at it is panned rather than shrunk further.
 */
export const READABLE_ZOOM = 0.8;
/** Space kept around the tasks when the view is fitted to them. */
const VIEW_MARGIN = 24;

/**
 * The view of a graph with these bounds in a pane of this size: all of it,
 * at most at full size, when it fits at a readable zoom; otherwise at that
 * zoom from its start (left, top), where people begin reading.
 */
export function fitViewport(
  bounds: { x: number; y: number; width: number; height: number },
  pane: { width: number; height: number },
): { x: number; y: number; zoom: number } {
  const room = {
    width: Math.max(pane.width - 2 * VIEW_MARGIN, 1),
    height: Math.max(pane.height - 2 * VIEW_MARGIN, 1),
  };
  const zoom = Math.min(
    1,
    Math.max(
      READABLE_ZOOM,
      Math.min(
        room.width / Math.max(bounds.width, 1),
        room.height / Math.max(bounds.height, 1),
      ),
    ),
  );
  const place = (start: number, size: number, paneSize: number) =>
    size * zoom <= paneSize - 2 * VIEW_MARGIN
      ? (paneSize - size * zoom) / 2 - start * zoom
      : VIEW_MARGIN - start * zoom;
  return {
    x: place(bounds.x, bounds.width, pane.width),
    y: place(bounds.y, bounds.height, pane.height),
    zoom,
  };
}
