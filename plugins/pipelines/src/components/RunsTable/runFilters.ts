import { RUN_STATUSES, RunStatus } from '@cairn/plugin-pipelines-common';

/** Filters of the runs list, besides the table's own search. */
export interface RunFilters {
  /** Entities, on the list of every entity's runs. */
  entity: string[];
  status: RunStatus[];
  pipeline: string[];
  cluster: string;
  namespace: string;
  label: string;
}

/** The runs list's state kept in its address: the filters and the search text. */
export interface RunListState extends RunFilters {
  search: string;
}

/** Query parameter of each part of the state (lists repeat the parameter). */
const PARAM = {
  entity: 'entity',
  status: 'status',
  pipeline: 'pipeline',
  cluster: 'cluster',
  namespace: 'namespace',
  label: 'label',
  search: 'q',
} as const;

const LIST_KEYS = ['entity', 'status', 'pipeline'] as const;
const TEXT_KEYS = ['cluster', 'namespace', 'label', 'search'] as const;

/**
 * The state an address names; unknown statuses are dropped, so a link from
 * an older portal does not filter by something the list cannot show.
 */
export function readRunListState(params: URLSearchParams): RunListState {
  const statuses = new Set<string>(RUN_STATUSES);
  return {
    entity: params.getAll(PARAM.entity),
    status: params
      .getAll(PARAM.status)
      .filter((s): s is RunStatus => statuses.has(s)),
    pipeline: params.getAll(PARAM.pipeline),
    cluster: params.get(PARAM.cluster) ?? '',
    namespace: params.get(PARAM.namespace) ?? '',
    label: params.get(PARAM.label) ?? '',
    search: params.get(PARAM.search) ?? '',
  };
}

/**
 * The address parameters of a state: `params` with the list's own
 * parameters replaced (others, such as `entityRef`, are kept); empty parts
 * are left out, so the plain list has a plain address.
 */
export function writeRunListState(
  params: URLSearchParams,
  state: RunListState,
): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const key of LIST_KEYS) {
    next.delete(PARAM[key]);
    for (const value of state[key]) next.append(PARAM[key], value);
  }
  for (const key of TEXT_KEYS) {
    const value = state[key].trim();
    if (value) next.set(PARAM[key], value);
    else next.delete(PARAM[key]);
  }
  return next;
}

/** Whether any filter (not the search) is set. */
export function isFiltered(filters: RunFilters): boolean {
  return (
    LIST_KEYS.some(key => filters[key].length > 0) ||
    Boolean(filters.cluster || filters.namespace || filters.label)
  );
}
