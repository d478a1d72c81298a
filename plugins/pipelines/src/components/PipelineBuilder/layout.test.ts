import {
  fitViewport,
  layoutBuilderGraph,
  NODE_HEIGHT,
  NODE_WIDTH,
  READABLE_ZOOM,
} from './layout';

function node(name: string, isFinally = false) {
  return { name, finally: isFinally, inline: false, errors: 0, warnings: 0 };
}

describe('layoutBuilderGraph', () => {
  it('puts each task right of the tasks it runs after, parallel tasks in one column', () => {
    const { positions, finallyLane } = layoutBuilderGraph({
      nodes: [node('fetch'), node('lint'), node('test'), node('deploy')],
      edges: [
        { from: 'fetch', to: 'lint', kind: 'runAfter' },
        { from: 'fetch', to: 'test', kind: 'result' },
        { from: 'lint', to: 'deploy', kind: 'runAfter' },
        { from: 'test', to: 'deploy', kind: 'runAfter' },
      ],
    });
    expect(positions.lint.x).toBeGreaterThanOrEqual(
      positions.fetch.x + NODE_WIDTH,
    );
    expect(positions.lint.x).toBe(positions.test.x);
    expect(
      Math.abs(positions.lint.y - positions.test.y),
    ).toBeGreaterThanOrEqual(NODE_HEIGHT);
    expect(positions.deploy.x).toBeGreaterThanOrEqual(
      positions.lint.x + NODE_WIDTH,
    );
    expect(finallyLane).toBeUndefined();
  });

  it('stacks finally tasks in a lane right of every task, edges to them notwithstanding', () => {
    const { positions, finallyLane } = layoutBuilderGraph({
      nodes: [
        node('build'),
        node('test'),
        node('notify', true),
        node('cleanup', true),
      ],
      edges: [
        { from: 'build', to: 'test', kind: 'runAfter' },
        { from: 'build', to: 'notify', kind: 'result' },
      ],
    });
    expect(finallyLane).toBeDefined();
    expect(finallyLane!.x).toBeGreaterThanOrEqual(
      positions.test.x + NODE_WIDTH,
    );
    for (const name of ['notify', 'cleanup']) {
      expect(positions[name].x).toBeGreaterThan(finallyLane!.x);
      expect(positions[name].x + NODE_WIDTH).toBeLessThan(
        finallyLane!.x + finallyLane!.width,
      );
      expect(positions[name].y + NODE_HEIGHT).toBeLessThanOrEqual(
        finallyLane!.y + finallyLane!.height,
      );
    }
    expect(positions.notify.x).toBe(positions.cleanup.x);
    expect(positions.cleanup.y).toBeGreaterThanOrEqual(
      positions.notify.y + NODE_HEIGHT,
    );
  });

  it('lays out a pipeline of only finally tasks, and an empty one', () => {
    expect(
      layoutBuilderGraph({ nodes: [node('report', true)], edges: [] })
        .finallyLane?.x,
    ).toBe(0);
    expect(layoutBuilderGraph({ nodes: [], edges: [] })).toEqual({
      positions: {},
    });
  });
});

describe('layoutBuilderGraph of a long chain', () => {
  it('lays out a deep pipeline with branches: each task right of those it runs after, none overlapping', () => {
    // Past dagre's recursive steps: 400 tasks, two in each column.
    const names = Array.from({ length: 400 }, (_, i) => `t${i}`);
    const edges = names.flatMap((name, i) =>
      [i - 2, i - 3]
        .filter(j => j >= 0)
        .map(j => ({ from: names[j], to: name, kind: 'runAfter' as const })),
    );
    const { positions } = layoutBuilderGraph({
      nodes: names.map(name => node(name)),
      edges,
    });
    for (const edge of edges) {
      expect(positions[edge.to].x).toBeGreaterThanOrEqual(
        positions[edge.from].x + NODE_WIDTH,
      );
    }
    // Tasks in one column are a task's height apart at least.
    const columns = new Map<number, number[]>();
    for (const p of Object.values(positions)) {
      columns.set(p.x, [...(columns.get(p.x) ?? []), p.y]);
    }
    expect(Math.max(...[...columns.values()].map(ys => ys.length))).toBe(2);
    for (const ys of columns.values()) {
      ys.sort((a, b) => a - b);
      ys.slice(1).forEach((y, i) =>
        expect(y - ys[i]).toBeGreaterThanOrEqual(NODE_HEIGHT),
      );
    }
  });

  it('lays out 6,000 tasks in a row without running out of stack', () => {
    const count = 6000;
    const names = Array.from({ length: count }, (_, i) => `t${i}`);
    const { positions } = layoutBuilderGraph({
      nodes: names.map(name => node(name)),
      edges: names
        .slice(1)
        .map((name, i) => ({ from: names[i], to: name, kind: 'runAfter' })),
    });
    for (let i = 1; i < count; i++) {
      expect(positions[names[i]].x).toBeGreaterThanOrEqual(
        positions[names[i - 1]].x + NODE_WIDTH,
      );
    }
  });
});

describe('fitViewport', () => {
  const pane = { width: 800, height: 600 };
  const boundsOf = (positions: Record<string, { x: number; y: number }>) => {
    const xs = Object.values(positions).map(p => p.x);
    const ys = Object.values(positions).map(p => p.y);
    return {
      x: Math.min(...xs),
      y: Math.min(...ys),
      width: Math.max(...xs) + NODE_WIDTH - Math.min(...xs),
      height: Math.max(...ys) + NODE_HEIGHT - Math.min(...ys),
    };
  };
  /** Where a node's top-left corner lands in the pane. */
  const onScreen = (
    view: { x: number; y: number; zoom: number },
    p: { x: number; y: number },
  ) => ({ x: p.x * view.zoom + view.x, y: p.y * view.zoom + view.y });

  it('shows a small pipeline whole, centred, at most at full size', () => {
    const { positions } = layoutBuilderGraph({
      nodes: [node('a'), node('b')],
      edges: [{ from: 'a', to: 'b', kind: 'runAfter' }],
    });
    const bounds = boundsOf(positions);
    const view = fitViewport(bounds, pane);
    expect(view.zoom).toBe(1);
    const a = onScreen(view, positions.a);
    const b = onScreen(view, positions.b);
    expect(a.x - 0).toBeCloseTo(pane.width - (b.x + NODE_WIDTH));
  });

  it.each([
    [
      'in parallel',
      (names: string[]) => names.slice(1).map(n => ({ from: names[0], to: n })),
    ],
    [
      'in a chain',
      (names: string[]) =>
        names.slice(1).map((n, i) => ({ from: names[i], to: n })),
    ],
  ])('keeps 50 tasks %s readable, showing the first ones', (_, edgesOf) => {
    const names = Array.from({ length: 50 }, (__, i) => `task-${i}`);
    const { positions } = layoutBuilderGraph({
      nodes: names.map(n => node(n)),
      edges: edgesOf(names).map(e => ({ ...e, kind: 'runAfter' as const })),
    });
    const view = fitViewport(boundsOf(positions), pane);
    expect(view.zoom).toBeGreaterThanOrEqual(READABLE_ZOOM);
    // The first task is in view, its whole box.
    const first = onScreen(view, positions[names[0]]);
    const topLeftmost = Object.values(positions).reduce((min, p) =>
      p.x < min.x || (p.x === min.x && p.y < min.y) ? p : min,
    );
    const start = onScreen(view, topLeftmost);
    for (const corner of [first, start]) {
      expect(corner.x).toBeGreaterThanOrEqual(0);
      expect(corner.x + NODE_WIDTH * view.zoom).toBeLessThanOrEqual(pane.width);
    }
    expect(start.y).toBeGreaterThanOrEqual(0);
    // No two tasks overlap.
    const boxes = Object.values(positions);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const apart =
          Math.abs(boxes[i].x - boxes[j].x) >= NODE_WIDTH ||
          Math.abs(boxes[i].y - boxes[j].y) >= NODE_HEIGHT;
        expect(apart).toBe(true);
      }
    }
  });
});
