import {
  DependencyGraph,
  DependencyGraphTypes,
} from '@backstage/core-components';
import { formatDuration, PipelineGraph } from '@cairn/plugin-pipelines-common';
import { RunTaskState } from '../../api';
import { STATUS_COLORS } from '../RunStatus';

interface NodeData {
  label: string;
  /** `junction`: where the DAG ends and the finally tasks begin. */
  lane: 'tasks' | 'finally' | 'junction';
  state?: RunTaskState;
  /** Measured as the task panel measures it. */
  duration?: number;
  selected: boolean;
  onSelect: (name: string) => void;
}

const WIDTH = 190;
const HEIGHT = 52;
const RANK_MARGIN = 60;
const JUNCTION_WIDTH = 70;

function truncate(text: string, max: number) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

// Task names are DNS labels, so this id never clashes with one.
const JUNCTION = 'then finally';

function JunctionNode() {
  return (
    <g data-testid="dag-finally-junction" aria-label="then the finally tasks">
      <rect
        width={JUNCTION_WIDTH}
        height={26}
        rx={13}
        fill="#eceff1"
        stroke="#90a4ae"
      />
      <text
        x={JUNCTION_WIDTH / 2}
        y={17}
        fontSize={12}
        fill="#455a64"
        textAnchor="middle"
      >
        finally
      </text>
    </g>
  );
}

function TaskNode({ node }: DependencyGraphTypes.RenderNodeProps<NodeData>) {
  if (node.lane === 'junction') return <JunctionNode />;
  const status = node.state?.status.status ?? 'pending';
  const color = STATUS_COLORS[status];
  let detail: string = node.state?.status.label ?? 'Pending';
  if (status === 'skipped') {
    detail = `Skipped: ${
      node.state?.skippedReason ?? node.state?.status.label
    }`;
  } else if (node.duration !== undefined) {
    detail = `${detail} · ${formatDuration(node.duration)}`;
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
 * status. Finally tasks, drawn dashed, come after a junction that every task
 * with no successor leads to.
 */
export function PipelineDag(props: {
  graph: PipelineGraph;
  tasks: Record<string, RunTaskState>;
  /** Each task's duration, as the task panel shows it. */
  durations: Record<string, number | undefined>;
  selected?: string;
  onSelect: (task: string) => void;
}) {
  const { graph, tasks, durations, selected, onSelect } = props;
  const nodes: DependencyGraphTypes.DependencyNode<NodeData>[] =
    graph.nodes.map(n => ({
      id: n.name,
      label: n.displayName || n.name,
      lane: n.lane,
      state: tasks[n.name],
      duration: durations[n.name],
      selected: n.name === selected,
      onSelect,
    }));
  const edges: DependencyGraphTypes.DependencyEdge[] = graph.edges.map(e => ({
    from: e.from,
    to: e.to,
    label: e.results?.length ? e.results.join(', ') : undefined,
  }));
  // Finally tasks run after the whole DAG: its sinks meet in one junction
  // that leads to each finally task (sinks × finally edges would tangle).
  const finallyTasks = graph.nodes.filter(n => n.lane === 'finally');
  if (finallyTasks.length) {
    nodes.push({
      id: JUNCTION,
      label: JUNCTION,
      lane: 'junction',
      selected: false,
      onSelect,
    });
    const dagTasks = graph.nodes.filter(n => n.lane === 'tasks');
    for (const sink of dagTasks.filter(
      n => !graph.edges.some(e => e.from === n.name),
    )) {
      edges.push({ from: sink.name, to: JUNCTION });
    }
    for (const f of finallyTasks) edges.push({ from: JUNCTION, to: f.name });
  }
  // DependencyGraph scales the drawing to the container's width: a small
  // graph would be blown up. Cap the width at about its natural size: a
  // column per level (finally tasks have their own) and the junction.
  const columns = Math.max(0, ...graph.nodes.map(n => n.level)) + 1;
  const naturalWidth =
    columns * (WIDTH + RANK_MARGIN) +
    (finallyTasks.length ? JUNCTION_WIDTH + RANK_MARGIN : 0);
  return (
    <div style={{ maxWidth: naturalWidth, margin: '0 auto' }}>
      <DependencyGraph<NodeData, {}>
        nodes={nodes}
        edges={edges}
        direction={DependencyGraphTypes.Direction.LEFT_RIGHT}
        renderNode={TaskNode}
        rankMargin={RANK_MARGIN}
        nodeMargin={24}
        showArrowHeads
        zoom="enable-on-click"
        fit="contain"
        style={{ minHeight: 200 }}
      />
    </div>
  );
}
