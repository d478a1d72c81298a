import { InputError } from '@backstage/errors';
import {
  getRunDuration,
  getRunStatus,
  PipelineRun,
  RERUN_OF_LABEL,
  STARTED_BY_ANNOTATION,
  RunSortField,
  RunSummary,
  RUN_STATUSES,
  RunStatus,
  summarizeTaskProgress,
  TaskRun,
  TEKTON_LABELS,
} from '@cairn/plugin-pipelines-common';

/** A run, the entity it is listed for and the cluster it is on. @public */
export interface RunRow {
  entityRef: string;
  cluster: string;
  run: PipelineRun;
}

/** Filters, sort and page of the runs list (already validated). @public */
export interface RunQuery {
  status?: RunStatus[];
  pipeline?: string[];
  /** Case-insensitive substring of the run's or pipeline's name. */
  search?: string;
  sort: RunSortField;
  order: 'asc' | 'desc';
  limit: number;
  cursor?: string;
}

/** A page of rows, and where the next one starts. @public */
export interface RunPage<T> {
  items: T[];
  totalCount: number;
  nextCursor?: string;
}

/** The pipeline a run runs: its Tekton label, else its pipelineRef. @public */
export function getRunPipelineName(run: PipelineRun): string | undefined {
  return (
    run.metadata.labels?.[TEKTON_LABELS.pipeline] ?? run.spec.pipelineRef?.name
  );
}

/** Summarises a run of an entity with its TaskRuns for the list. @public */
export function summarizeRun(
  entityRef: string,
  cluster: string,
  run: PipelineRun,
  taskRuns: readonly TaskRun[],
  now: Date = new Date(),
): RunSummary {
  const labels = run.metadata.labels ?? {};
  const rerunOf =
    labels[RERUN_OF_LABEL] ?? labels['dashboard.tekton.dev/rerunOf'];
  let trigger: RunSummary['trigger'] = 'other';
  if (rerunOf) trigger = 'rerun';
  else if (labels['triggers.tekton.dev/eventlistener']) trigger = 'event';
  return {
    entityRef,
    cluster,
    namespace: run.metadata.namespace ?? '',
    name: run.metadata.name ?? '',
    uid: run.metadata.uid,
    pipeline: getRunPipelineName(run),
    status: getRunStatus(run),
    trigger,
    rerunOf,
    startedBy: run.metadata.annotations?.[STARTED_BY_ANNOTATION],
    createdAt: run.metadata.creationTimestamp,
    startTime: run.status?.startTime,
    completionTime: run.status?.completionTime,
    durationMs: getRunDuration(run, now),
    progress: summarizeTaskProgress(run, taskRuns),
    labels,
  };
}

type SortValue = string | number;

function sortValue(row: RunRow, field: RunSortField, now: Date): SortValue {
  const { run } = row;
  switch (field) {
    case 'started':
      return run.status?.startTime ?? run.metadata.creationTimestamp ?? '';
    case 'created':
      return run.metadata.creationTimestamp ?? '';
    case 'completed':
      return run.status?.completionTime ?? '';
    case 'name':
      return run.metadata.name ?? '';
    case 'pipeline':
      return getRunPipelineName(run) ?? '';
    case 'status':
      return RUN_STATUSES.indexOf(getRunStatus(run).status);
    case 'duration':
      return getRunDuration(run, now) ?? -1;
    default:
      return '';
  }
}

function rowKey(row: RunRow): string {
  return `${row.cluster}/${row.run.metadata.namespace}/${row.run.metadata.name}`;
}

function compareValues(a: SortValue, b: SortValue): number {
  if (typeof a === typeof b) {
    if (a < b) return -1;
    return a > b ? 1 : 0;
  }
  const x = String(a);
  const y = String(b);
  if (x < y) return -1;
  return x > y ? 1 : 0;
}

interface Cursor {
  sort: RunSortField;
  order: 'asc' | 'desc';
  value: SortValue;
  key: string;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(text: string, query: RunQuery): Cursor {
  let cursor: Cursor;
  try {
    cursor = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new InputError(
      'cursor is not one this API returned; use nextCursor of the previous page, or leave it out for the first page',
    );
  }
  if (
    !cursor ||
    typeof cursor.key !== 'string' ||
    (typeof cursor.value !== 'string' && typeof cursor.value !== 'number')
  ) {
    throw new InputError(
      'cursor is not one this API returned; use nextCursor of the previous page, or leave it out for the first page',
    );
  }
  if (cursor.sort !== query.sort || cursor.order !== query.order) {
    throw new InputError(
      `cursor belongs to sort=${cursor.sort}&order=${cursor.order}; leave it out to start again with sort=${query.sort}&order=${query.order}`,
    );
  }
  return cursor;
}

/**
 * The `count` first items in `compare` order, sorted: one pass keeping the
 * best so far, instead of sorting thousands of runs to show a page of them.
 */
export function firstInOrder<T>(
  items: Iterable<T>,
  count: number,
  compare: (a: T, b: T) => number,
): T[] {
  const best: T[] = [];
  if (count <= 0) return best;
  for (const item of items) {
    if (best.length === count && compare(item, best[count - 1]) >= 0) {
      continue;
    }
    let low = 0;
    let high = best.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compare(item, best[middle]) < 0) high = middle;
      else low = middle + 1;
    }
    best.splice(low, 0, item);
    if (best.length > count) best.pop();
  }
  return best;
}

/**
 * Filters, sorts and pages runs in memory. Pages are keyset pages: the
 * cursor holds the sort value and key of the last row, so runs created
 * between two page loads do not shift later pages.
 * @public
 */
export function selectRuns(
  rows: readonly RunRow[],
  query: RunQuery,
  now: Date = new Date(),
): RunPage<RunRow> {
  const search = query.search?.toLowerCase();
  const filtered = rows.filter(row => {
    const { run } = row;
    if (
      query.status?.length &&
      !query.status.includes(getRunStatus(run).status)
    ) {
      return false;
    }
    const pipeline = getRunPipelineName(run);
    if (
      query.pipeline?.length &&
      !(pipeline && query.pipeline.includes(pipeline))
    ) {
      return false;
    }
    if (
      search &&
      !(run.metadata.name ?? '').toLowerCase().includes(search) &&
      !(pipeline ?? '').toLowerCase().includes(search)
    ) {
      return false;
    }
    return true;
  });
  const direction = query.order === 'asc' ? 1 : -1;
  // Keys (for ties) are built only when a comparison needs them.
  type Keyed = { row: RunRow; value: SortValue; key?: string };
  type Position = { value: SortValue; key: string } | Keyed;
  const keyOf = (item: Position) =>
    'row' in item ? (item.key ??= rowKey(item.row)) : item.key;
  const keyed: Keyed[] = filtered.map(row => ({
    row,
    value: sortValue(row, query.sort, now),
  }));
  const compare = (a: Position, b: Position) =>
    direction * compareValues(a.value, b.value) ||
    direction * compareValues(keyOf(a), keyOf(b));

  // The rows after the cursor, in order: only the page of them is sorted.
  let after = keyed;
  if (query.cursor) {
    const cursor = decodeCursor(query.cursor, query);
    after = keyed.filter(item => compare(item, cursor) > 0);
  }
  const page = firstInOrder(after, query.limit, compare);
  const last = page[page.length - 1];
  const hasMore = after.length > query.limit;
  return {
    items: page.map(item => item.row),
    totalCount: keyed.length,
    nextCursor:
      hasMore && last
        ? encodeCursor({
            sort: query.sort,
            order: query.order,
            value: last.value,
            key: keyOf(last),
          })
        : undefined,
  };
}
