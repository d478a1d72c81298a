import {
  DependencyGraph,
  DependencyGraphTypes,
} from '@backstage/core-components';
import { formatDuration, PipelineGraph } from '@cairn/plugin-pipelines-common';
import { RunTaskState } from '../../api';
import { STATUS_COLORS } from '../RunStatus';

interface NodeData {
  label: string;
  lane: 'tasks' | 'finally';
  state?: RunTaskState;
  selected: boolean;
  onSelect: (name: string) => void;
}

const WIDTH = 190;
const HEIGHT = 52;

function truncate(text: string, max: number) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function TaskNode({ node }: DependencyGraphTypes.RenderNodeProps<NodeData>) {
  const status = node.state?.status.status ?? 'pending';
  const color = STATUS_COLORS[status];
  let detail: string = node.state?.status.label ?? 'Pending';
  if (status === 'skipped') {
    detail = `Skipped: ${
      node.state?.skippedReason ?? node.state?.status.label
    }`;
  } else if (node.state?.duration !== undefined) {
    detail = `${detail} · ${formatDuration(node.state.duration)}`;
  }
  if (node.state?.retries) detail = `${detail} · ${node.state.retries} retries`;
  const title = `${node.label}${
    node.lane === 'finally' ? ' (finally)' : ''
  }: ${detail}`;
  return (
    <g
      role="button"
      aria-label={title}
      data-testid={`dag-node-${node.id}`}
      data-status={status}
      style={{ cursor: 'pointer' }}
      onClick={() => node.onSelect(node.id)}
    >
      <title>{title}</title>
      <rect
        width={WIDTH}
        height={HEIGHT}
        rx={6}
        fill="#fff"
        stroke={color}
        strokeWidth={node.selected ? 4 : 2}
        strokeDasharray={node.lane === 'finally' ? '6 3' : undefined}
      />
      <rect width={8} height={HEIGHT} rx={3} fill={color} />
      <text x={16} y={21} fontSize={14} fontWeight="bold" fill="#222">
        {truncate(node.label, 22)}
      </text>
      <text x={16} y={40} fontSize={12} fill="#555">
        {truncate(detail, 28)}
      </text>
    </g>
  );
}

/**
 * The run's pipeline as a left-to-right graph, each task coloured by its
 * status. Finally tasks come after every task with no successor, drawn dashed.
 */
export function PipelineDag(props: {
  graph: PipelineGraph;
  tasks: Record<string, RunTaskState>;
  selected?: string;
  onSelect: (task: string) => void;
}) {
  const { graph, tasks, selected, onSelect } = props;
  const nodes: DependencyGraphTypes.DependencyNode<NodeData>[] =
    graph.nodes.map(n => ({
      id: n.name,
      label: n.displayName || n.name,
      lane: n.lane,
      state: tasks[n.name],
      selected: n.name === selected,
      onSelect,
    }));
  const edges: DependencyGraphTypes.DependencyEdge[] = graph.edges.map(e => ({
    from: e.from,
    to: e.to,
    label: e.results?.length ? e.results.join(', ') : undefined,
  }));
  // Finally tasks run after the whole DAG: link them from its sinks.
  const dagTasks = graph.nodes.filter(n => n.lane === 'tasks');
  const sinks = dagTasks.filter(n => !graph.edges.some(e => e.from === n.name));
  for (const f of graph.nodes.filter(n => n.lane === 'finally')) {
    for (const s of sinks) {
      edges.push({ from: s.name, to: f.name, label: 'finally' });
    }
  }
  return (
    <DependencyGraph<NodeData, {}>
      nodes={nodes}
      edges={edges}
      direction={DependencyGraphTypes.Direction.LEFT_RIGHT}
      renderNode={TaskNode}
      rankMargin={60}
      nodeMargin={24}
      showArrowHeads
      zoom="enable-on-click"
      fit="contain"
      style={{ minHeight: 200 }}
    />
  );
}
