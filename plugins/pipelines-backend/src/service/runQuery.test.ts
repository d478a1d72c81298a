import { PipelineRun } from '@cairn/plugin-pipelines-common';
import {
  firstInOrder,
  RunQuery,
  RunRow,
  selectRuns,
  summarizeRun,
} from './runQuery';

function run(
  name: string,
  options: {
    pipeline?: string;
    start?: string;
    end?: string;
    condition?: 'True' | 'False' | 'Unknown';
    reason?: string;
    labels?: Record<string, string>;
  } = {},
): PipelineRun {
  return {
    metadata: {
      name,
      namespace: 'ci',
      creationTimestamp: options.start,
      labels: {
        ...(options.pipeline
          ? { 'tekton.dev/pipeline': options.pipeline }
          : {}),
        ...options.labels,
      },
    },
    spec: { pipelineRef: { name: options.pipeline ?? 'build' } },
    status: options.condition
      ? {
          startTime: options.start,
          completionTime: options.end,
          conditions: [
            {
              type: 'Succeeded',
              status: options.condition,
              reason: options.reason,
            },
          ],
        }
      : undefined,
  };
}

const now = new Date('2026-01-01T01:00:00Z');
const entityRef = 'component:default/shop';
const rows: RunRow[] = [
  {
    entityRef,
    cluster: 'dev',
    run: run('build-a', {
      pipeline: 'build',
      start: '2026-01-01T00:00:00Z',
      end: '2026-01-01T00:10:00Z',
      condition: 'True',
      reason: 'Succeeded',
    }),
  },
  {
    entityRef,
    cluster: 'dev',
    run: run('build-b', {
      pipeline: 'build',
      start: '2026-01-01T00:20:00Z',
      end: '2026-01-01T00:21:00Z',
      condition: 'False',
      reason: 'Failed',
    }),
  },
  {
    entityRef,
    cluster: 'prod',
    run: run('deploy-c', {
      pipeline: 'deploy',
      start: '2026-01-01T00:30:00Z',
      condition: 'Unknown',
      reason: 'Running',
    }),
  },
  {
    entityRef,
    cluster: 'dev',
    run: run('deploy-d', {
      pipeline: 'deploy',
      start: '2026-01-01T00:40:00Z',
      condition: 'False',
      reason: 'Cancelled',
    }),
  },
  {
    entityRef,
    cluster: 'dev',
    run: run('build-e', { start: '2026-01-01T00:50:00Z' }),
  },
];

const base: RunQuery = { sort: 'started', order: 'desc', limit: 25 };
const names = (query: Partial<RunQuery>) =>
  selectRuns(rows, { ...base, ...query }, now).items.map(
    r => r.run.metadata.name,
  );

describe('selectRuns', () => {
  it('sorts newest first by default, with keys breaking ties', () => {
    expect(names({})).toEqual([
      'build-e',
      'deploy-d',
      'deploy-c',
      'build-b',
      'build-a',
    ]);
    expect(names({ sort: 'name', order: 'asc' })).toEqual([
      'build-a',
      'build-b',
      'build-e',
      'deploy-c',
      'deploy-d',
    ]);
    // Unfinished runs count up to now; build-e has not started.
    expect(names({ sort: 'duration', order: 'desc' })).toEqual([
      'deploy-c',
      'deploy-d',
      'build-a',
      'build-b',
      'build-e',
    ]);
  });

  it('filters by status, pipeline and search', () => {
    expect(names({ status: ['failed', 'cancelled'] })).toEqual([
      'deploy-d',
      'build-b',
    ]);
    expect(names({ status: ['pending'] })).toEqual(['build-e']);
    expect(names({ pipeline: ['deploy'] })).toEqual(['deploy-d', 'deploy-c']);
    expect(names({ search: 'BUILD-' })).toEqual([
      'build-e',
      'build-b',
      'build-a',
    ]);
    expect(names({ search: 'deploy', status: ['running'] })).toEqual([
      'deploy-c',
    ]);
  });

  it('pages with a cursor that survives new runs', () => {
    const first = selectRuns(rows, { ...base, limit: 2 }, now);
    expect(first.items.map(r => r.run.metadata.name)).toEqual([
      'build-e',
      'deploy-d',
    ]);
    expect(first.totalCount).toBe(5);
    // A newer run arrives between page loads: the next page does not repeat.
    const more = [
      ...rows,
      {
        entityRef,
        cluster: 'dev',
        run: run('build-f', { start: '2026-01-01T00:55:00Z' }),
      },
    ];
    const second = selectRuns(
      more,
      { ...base, limit: 2, cursor: first.nextCursor },
      now,
    );
    expect(second.items.map(r => r.run.metadata.name)).toEqual([
      'deploy-c',
      'build-b',
    ]);
    const third = selectRuns(
      more,
      { ...base, limit: 2, cursor: second.nextCursor },
      now,
    );
    expect(third.items.map(r => r.run.metadata.name)).toEqual(['build-a']);
    expect(third.nextCursor).toBeUndefined();
  });

  it('rejects cursors of another sort or made up', () => {
    const first = selectRuns(rows, { ...base, limit: 2 }, now);
    expect(() =>
      selectRuns(rows, { ...base, order: 'asc', cursor: first.nextCursor }),
    ).toThrow(
      'cursor belongs to sort=started&order=desc; leave it out to start again with sort=started&order=asc',
    );
    expect(() => selectRuns(rows, { ...base, cursor: 'garbage' })).toThrow(
      'cursor is not one this API returned',
    );
  });
});

describe('firstInOrder', () => {
  const byNumber = (a: number, b: number) => a - b;
  it.each([
    ['ascending input', [1, 2, 3, 4, 5, 6], 3, [1, 2, 3]],
    ['descending input', [6, 5, 4, 3, 2, 1], 3, [1, 2, 3]],
    ['ties and repeats', [3, 1, 3, 2, 1, 5], 4, [1, 1, 2, 3]],
    ['fewer items than asked', [2, 1], 5, [1, 2]],
    ['none asked', [2, 1], 0, []],
  ])('takes the first items of %s, sorted', (_, items, count, expected) => {
    expect(firstInOrder(items, count, byNumber)).toEqual(expected);
  });
});

describe('selectRuns over many runs', () => {
  // Start times with many ties, in an order unrelated to name or time.
  const many: RunRow[] = Array.from({ length: 400 }, (_, i) => {
    const n = (i * 7919) % 400;
    return {
      entityRef,
      cluster: n % 3 ? 'dev' : 'prod',
      run: run(`run-${String(n).padStart(3, '0')}`, {
        start: `2026-01-01T00:${String(n % 17).padStart(2, '0')}:00Z`,
        condition: 'True',
        reason: 'Succeeded',
      }),
    };
  });
  const reference = (order: 'asc' | 'desc') => {
    const sign = order === 'asc' ? 1 : -1;
    const keyOf = (r: RunRow) => `${r.cluster}/ci/${r.run.metadata.name}`;
    return [...many]
      .sort(
        (a, b) =>
          sign *
          (a.run.status!.startTime!.localeCompare(b.run.status!.startTime!) ||
            keyOf(a).localeCompare(keyOf(b))),
      )
      .map(keyOf);
  };

  it.each(['asc', 'desc'] as const)(
    'pages through every run once, in sort order (%s)',
    order => {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = selectRuns(
          many,
          { sort: 'started', order, limit: 7, cursor },
          now,
        );
        expect(page.totalCount).toBe(400);
        seen.push(
          ...page.items.map(r => `${r.cluster}/ci/${r.run.metadata.name}`),
        );
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(reference(order));
    },
  );
});

describe('summarizeRun', () => {
  it('summarises status, pipeline, trigger and duration', () => {
    const summary = summarizeRun(
      'component:default/shop',
      'dev',
      run('build-x', {
        pipeline: 'build',
        start: '2026-01-01T00:00:00Z',
        end: '2026-01-01T00:01:30Z',
        condition: 'True',
        reason: 'Succeeded',
        labels: { 'cairn.dev/rerun-of': 'build-w' },
      }),
      [],
      now,
    );
    expect(summary).toMatchObject({
      entityRef: 'component:default/shop',
      cluster: 'dev',
      namespace: 'ci',
      name: 'build-x',
      pipeline: 'build',
      status: { status: 'succeeded', label: 'Succeeded' },
      trigger: 'rerun',
      rerunOf: 'build-w',
      durationMs: 90_000,
      progress: { total: 0 },
    });
    expect(summary.startedBy).toBeUndefined();
  });

  it('names the portal user who started the run, from its annotation', () => {
    const started = run('build-y', { pipeline: 'build' });
    started.metadata.annotations = {
      'cairn.dev/started-by': 'user:default/ada',
    };
    expect(
      summarizeRun('component:default/shop', 'dev', started, [], now),
    ).toMatchObject({ trigger: 'other', startedBy: 'user:default/ada' });
  });
});
