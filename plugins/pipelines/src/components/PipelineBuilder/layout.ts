import dagre from '@dagrejs/dagre';
import type { BuilderGraph } from '@cairn/plugin-pipelines-common';

export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 72;
const RANK_GAP = 80;
const NODE_GAP = 32;
/** Space between the last task column and the finally lane. */
const LANE_GAP = 96;
const LANE_PADDING = 24;

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
  g.setGraph({
    rankdir: 'LR',
    ranksep: RANK_GAP,
    nodesep: NODE_GAP,
    marginx: 0,
    marginy: 0,
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
  dagre.layout(g);

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
