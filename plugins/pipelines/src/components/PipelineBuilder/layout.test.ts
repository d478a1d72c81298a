import { layoutBuilderGraph, NODE_HEIGHT, NODE_WIDTH } from './layout';

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
