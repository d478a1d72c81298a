import { useEffect, useMemo, useRef, useState } from 'react';
import {
  Background,
  Controls,
  Edge,
  Handle,
  MarkerType,
  Node,
  NodeProps,
  Position,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  useStore,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { Chip, Typography } from '@material-ui/core';
import type { BuilderGraph } from '@cairn/plugin-pipelines-common';
import {
  fitViewport,
  layoutBuilderGraph,
  NODE_HEIGHT,
  NODE_WIDTH,
  READABLE_ZOOM,
} from './layout';

type BuilderNode = BuilderGraph['nodes'][number];
type TaskNodeData = { task: BuilderNode };
type LaneNodeData = { width: number; height: number };

const plural = (count: number, word: string) =>
  `${count} ${word}${count === 1 ? '' : 's'}`;

/** "2 errors", "1 warning", "1 error, 1 warning" or "" for a node's problems. */
function countProblems(task: BuilderNode) {
  return [
    task.errors ? plural(task.errors, 'error') : '',
    task.warnings ? plural(task.warnings, 'warning') : '',
  ]
    .filter(Boolean)
    .join(', ');
}

// Errors block saving: red. Warnings (e.g. a Task not found) do not: amber.
const ERROR_COLOR = '#d32f2f';
const WARNING_COLOR = '#ed6c02';

function describeTask(task: BuilderNode) {
  const kind = task.inline ? 'inline task' : `Task ${task.taskRef ?? '?'}`;
  const problems = countProblems(task);
  return `${task.finally ? 'Finally task' : 'Task'} ${task.name} (${kind}${
    problems ? `, ${problems}` : ''
  })`;
}

function TaskNode({ data, selected }: NodeProps<Node<TaskNodeData>>) {
  const { task } = data;
  let problemColor: string | undefined;
  if (task.errors) problemColor = ERROR_COLOR;
  else if (task.warnings) problemColor = WARNING_COLOR;
  return (
    <div
      data-testid={`builder-node-${task.name}`}
      style={{
        width: NODE_WIDTH,
        height: NODE_HEIGHT,
        boxSizing: 'border-box',
        padding: '6px 10px',
        borderRadius: 6,
        background: '#fff',
        border: `${selected ? 3 : 1}px ${task.finally ? 'dashed' : 'solid'} ${
          problemColor ?? '#546e7a'
        }`,
        overflow: 'hidden',
      }}
    >
      <Handle type="target" position={Position.Left} />
      <Typography variant="subtitle2" noWrap title={task.name}>
        {task.displayName ?? task.name}
      </Typography>
      {task.displayName && (
        <Typography variant="caption" noWrap component="div">
          {task.name}
        </Typography>
      )}
      <div style={{ display: 'flex', alignItems: 'center', gap: 4 }}>
        <Typography
          variant="caption"
          color="textSecondary"
          noWrap
          style={{ flex: 1 }}
        >
          {task.inline ? 'inline' : task.taskRef ?? 'no task'}
        </Typography>
        {problemColor && (
          <Chip
            size="small"
            label={countProblems(task)}
            style={{ background: problemColor, color: '#fff', height: 18 }}
          />
        )}
      </div>
      <Handle type="source" position={Position.Right} />
    </div>
  );
}

function LaneNode({ data }: NodeProps<Node<LaneNodeData>>) {
  return (
    <div
      style={{
        width: data.width,
        height: data.height,
        border: '1px dashed #90a4ae',
        borderRadius: 8,
        background: 'rgba(144, 164, 174, 0.08)',
      }}
    >
      <Typography variant="overline" style={{ marginLeft: 8 }}>
        finally — runs after all tasks
      </Typography>
    </div>
  );
}

const nodeTypes = { task: TaskNode, lane: LaneNode };
/** Tasks stay readable: a large pipeline is panned rather than shrunk below a readable size. */
const FIT_VIEW = { padding: 0.15, maxZoom: 1, minZoom: READABLE_ZOOM };

const RESULT_EDGE = 'result:';

function resultEdgeNotice(from: string, to: string) {
  return `${to} uses a result of ${from}, so it runs after it: this edge goes away when ${to} no longer references $(tasks.${from}.results…) — edit that value in its panel or the YAML.`;
}
const LANE_ID = '__finally-lane__';

/**
 * Re-fits the view when tasks come or go (not on every keystroke) or the
 * pane is resized. A pipeline too large to fit at a readable size is shown
 * from its start, where people begin reading it, rather than from its middle.
 */
function FitOnChange(props: { shape: string }) {
  const flow = useReactFlow();
  const paneWidth = useStore(state => state.width);
  const paneHeight = useStore(state => state.height);
  useEffect(() => {
    const frame = requestAnimationFrame(() => {
      const nodes = flow.getNodes();
      if (!nodes.length || !paneWidth || !paneHeight) return;
      flow.setViewport(
        fitViewport(flow.getNodesBounds(nodes), {
          width: paneWidth,
          height: paneHeight,
        }),
      );
    });
    return () => cancelAnimationFrame(frame);
  }, [flow, paneWidth, paneHeight, props.shape]);
  return null;
}

export interface BuilderCanvasProps {
  graph: BuilderGraph;
  selected?: string;
  readOnly?: boolean;
  onSelect: (task: string | undefined) => void;
  onConnect: (from: string, to: string) => void;
  onDisconnect: (from: string, to: string) => void;
  onRemove: (task: string) => void;
  /** Explains what the user tried that the graph cannot do (e.g. delete a result edge). */
  onNotice: (message: string) => void;
}

/**
 * The pipeline as a graph: tasks left to right by their edges, finally tasks
 * in their own lane; drag from a task's right handle to another's left to
 * make it run after, select an edge or task and press Delete to remove it.
 * Arrow keys move the focus along the edges, Tab through all tasks.
 */
function Canvas(props: BuilderCanvasProps) {
  const { graph, selected, readOnly } = props;
  const layout = useMemo(() => layoutBuilderGraph(graph), [graph]);
  const container = useRef<HTMLDivElement>(null);
  // The edge picked (click, or Enter when focused) for Delete.
  const [selectedEdge, setSelectedEdge] = useState<string>();
  // One selection at a time, so that Delete removes only what was picked.
  const selectTask = (name: string | undefined) => {
    setSelectedEdge(undefined);
    props.onSelect(name);
  };

  const nodes = useMemo(() => {
    const result: Node[] = graph.nodes.map(task => ({
      id: task.name,
      type: 'task',
      position: layout.positions[task.name],
      data: { task },
      selected: task.name === selected,
      ariaLabel: describeTask(task),
      ariaRole: 'button',
      deletable: !readOnly,
      width: NODE_WIDTH,
      height: NODE_HEIGHT,
    }));
    if (layout.finallyLane) {
      const lane = layout.finallyLane;
      result.unshift({
        id: LANE_ID,
        type: 'lane',
        position: { x: lane.x, y: lane.y },
        data: { width: lane.width, height: lane.height },
        selectable: false,
        focusable: false,
        deletable: false,
        connectable: false,
        zIndex: -1,
        width: lane.width,
        height: lane.height,
      });
    }
    return result;
  }, [graph, layout, selected, readOnly]);

  const edges = useMemo(
    () =>
      graph.edges.map((e): Edge => {
        const result = e.kind === 'result';
        const edgeId = `${e.kind}:${e.from}->${e.to}`;
        return {
          id: edgeId,
          source: e.from,
          target: e.to,
          deletable: !result && !readOnly,
          selected: edgeId === selectedEdge,
          markerEnd: { type: MarkerType.ArrowClosed },
          style: result ? { strokeDasharray: '6 4' } : undefined,
          label: result ? 'result' : undefined,
          ariaLabel: result
            ? resultEdgeNotice(e.from, e.to)
            : `${e.to} runs after ${e.from}`,
        };
      }),
    [graph, readOnly, selectedEdge],
  );

  const shape = graph.nodes
    .map(n => n.name)
    .sort()
    .join(',');

  /** Arrow keys move the focus to a neighbour: right/left along edges, up/down in order. */
  const onKeyDown = (event: KeyboardEvent) => {
    const edge = (event.target as Element).closest?.('.react-flow__edge');
    const edgeId = edge?.getAttribute('data-id');
    if (
      edgeId?.startsWith(RESULT_EDGE) &&
      (event.key === 'Delete' || event.key === 'Backspace')
    ) {
      const found = graph.edges.find(
        e => `${e.kind}:${e.from}->${e.to}` === edgeId,
      );
      if (found) props.onNotice(resultEdgeNotice(found.from, found.to));
      return;
    }
    const from = (event.target as HTMLElement).closest?.('.react-flow__node');
    const name = from?.getAttribute('data-id');
    if (!name || name === LANE_ID) return;
    let next: string | undefined;
    const ordered = [...graph.nodes].sort((a, b) => {
      const pa = layout.positions[a.name];
      const pb = layout.positions[b.name];
      return pa.x - pb.x || pa.y - pb.y;
    });
    const index = ordered.findIndex(n => n.name === name);
    switch (event.key) {
      case 'ArrowRight':
        next = graph.edges.find(e => e.from === name)?.to;
        break;
      case 'ArrowLeft':
        next = graph.edges.find(e => e.to === name)?.from;
        break;
      case 'ArrowDown':
        next = ordered[index + 1]?.name;
        break;
      case 'ArrowUp':
        next = ordered[index - 1]?.name;
        break;
      case 'Enter':
      case ' ':
        selectTask(name);
        return;
      default:
        return;
    }
    event.preventDefault();
    if (!next) return;
    const target = [
      ...(container.current?.querySelectorAll<HTMLElement>(
        '.react-flow__node',
      ) ?? []),
    ].find(el => el.getAttribute('data-id') === next);
    target?.focus();
    selectTask(next);
  };

  // The focused element is React Flow's node wrapper: listen where its keys bubble to.
  const keyHandler = useRef(onKeyDown);
  keyHandler.current = onKeyDown;
  useEffect(() => {
    const element = container.current;
    const listener = (event: KeyboardEvent) => keyHandler.current(event);
    element?.addEventListener('keydown', listener);
    return () => element?.removeEventListener('keydown', listener);
  }, []);

  return (
    <div ref={container} style={{ width: '100%', height: '100%' }}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        nodesDraggable={false}
        nodesConnectable={!readOnly}
        elementsSelectable
        deleteKeyCode={readOnly ? null : ['Delete', 'Backspace']}
        fitView
        fitViewOptions={FIT_VIEW}
        minZoom={0.2}
        proOptions={{ hideAttribution: true }}
        onNodeClick={(_, node) => node.id !== LANE_ID && selectTask(node.id)}
        onPaneClick={() => selectTask(undefined)}
        onEdgesChange={changes => {
          for (const change of changes) {
            if (change.type === 'select') {
              if (change.selected) {
                props.onSelect(undefined);
                setSelectedEdge(change.id);
              } else {
                setSelectedEdge(current =>
                  current === change.id ? undefined : current,
                );
              }
            }
          }
        }}
        onEdgeClick={(_, edge) => {
          if (edge.id.startsWith(RESULT_EDGE)) {
            props.onNotice(resultEdgeNotice(edge.source, edge.target));
          }
        }}
        onConnect={c => {
          if (c.source && c.target && c.source !== c.target) {
            props.onConnect(c.source, c.target);
          }
        }}
        onDelete={({ nodes: removedNodes, edges: removedEdges }) => {
          const removed = new Set(removedNodes.map(n => n.id));
          // Removing a task removes the edges to and from it with it.
          for (const edge of removedEdges) {
            if (!removed.has(edge.source) && !removed.has(edge.target)) {
              props.onDisconnect(edge.source, edge.target);
            }
          }
          for (const name of removed) {
            if (name !== LANE_ID) props.onRemove(name);
          }
        }}
      >
        <FitOnChange shape={shape} />
        <Background gap={16} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}

export function BuilderCanvas(props: BuilderCanvasProps) {
  return (
    <ReactFlowProvider>
      <Canvas {...props} />
    </ReactFlowProvider>
  );
}
