import {
  ReactNode,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import {
  EmptyState,
  Link,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  Box,
  Chip,
  FormControl,
  InputLabel,
  MenuItem,
  Select,
  TextField,
  Typography,
} from '@material-ui/core';
import { useSearchParams } from 'react-router-dom';
import useDebounce from 'react-use/esm/useDebounce';
import useAsync from 'react-use/esm/useAsync';
import useInterval from 'react-use/esm/useInterval';
import {
  formatDuration,
  RUN_STATUSES,
  RunStatus,
} from '@cairn/plugin-pipelines-common';
import {
  isFiltered,
  readRunListState,
  RunFilters,
  RunListState,
  writeRunListState,
} from './runFilters';
import { pipelinesApiRef, RunSortField, RunsPage, RunSummary } from '../../api';
import {
  isActive,
  RunStatusView,
  startLabel,
  TaskProgressBar,
  TriggerView,
} from '../RunStatus';
import {
  useOptionalPipelinesEntityRef,
  useRunPaths,
} from '../EntityRefContext';
import { useRunEvents } from '../useRunEvents';
import {
  ClusterErrors,
  useRefreshWhileStale,
} from '@cairn/plugin-kubernetes-react';

/**
 * How often the list refreshes while one of its runs is still active and the
 * backend's event stream is not available.
 */
export const ACTIVE_REFRESH_MS = 5000;

/** Changes pushed together within this time cause one reload of the page. */
export const PUSH_RELOAD_MS = 300;

/** Columns the server sorts by, by column field. */
const SORTABLE: Record<string, RunSortField> = {
  name: 'name',
  status: 'status',
  pipeline: 'pipeline',
  startTime: 'started',
  durationMs: 'duration',
};

type Row = RunSummary & { id: string };

const NO_WRAP = { whiteSpace: 'nowrap' } as const;
const ELLIPSIS = { overflow: 'hidden', textOverflow: 'ellipsis' } as const;

/** Values of the runs seen so far, offered by the filters. */
interface Seen {
  pipelines: string[];
  entities: string[];
  clusters: string[];
  namespaces: string[];
}

const NOTHING_SEEN: Seen = {
  pipelines: [],
  entities: [],
  clusters: [],
  namespaces: [],
};

/** `seen` with the values of `runs` added; the same object when none is new. */
function addSeen(seen: Seen, runs: RunSummary[]): Seen {
  const add = (values: string[], more: Array<string | undefined>) => {
    const all = new Set(values);
    more.forEach(v => v && all.add(v));
    return all.size === values.length ? values : [...all].sort();
  };
  const next: Seen = {
    pipelines: add(
      seen.pipelines,
      runs.map(r => r.pipeline),
    ),
    entities: add(
      seen.entities,
      runs.map(r => r.entityRef),
    ),
    clusters: add(
      seen.clusters,
      runs.map(r => r.cluster),
    ),
    namespaces: add(
      seen.namespaces,
      runs.map(r => r.namespace),
    ),
  };
  return (Object.keys(next) as Array<keyof Seen>).every(
    k => next[k] === seen[k],
  )
    ? seen
    : next;
}

/** A single-choice filter whose options come from the data; "" is any. */
function ChoiceFilter(props: {
  id: string;
  label: string;
  value: string;
  options: string[];
  onChange: (value: string) => void;
}) {
  const options = [...new Set([...props.options, props.value])]
    .filter(Boolean)
    .sort();
  return (
    <FormControl style={{ minWidth: 140 }}>
      <InputLabel id={`${props.id}-label`}>{props.label}</InputLabel>
      <Select
        labelId={`${props.id}-label`}
        inputProps={{ 'data-testid': props.id }}
        value={props.value}
        displayEmpty
        onChange={e => props.onChange(e.target.value as string)}
      >
        <MenuItem value="">
          <em>any</em>
        </MenuItem>
        {options.map(o => (
          <MenuItem key={o} value={o}>
            {o}
          </MenuItem>
        ))}
      </Select>
    </FormControl>
  );
}

function FilterBar(props: {
  filters: RunFilters;
  pipelines: string[];
  clusters: string[];
  namespaces: string[];
  /** Entities to filter by; no entity filter when undefined. */
  entities?: string[];
  onChange: (filters: RunFilters) => void;
}) {
  const { filters, pipelines, entities, onChange } = props;
  const [label, setLabel] = useState(filters.label);
  // The address may change the filter (back button, a shared link).
  useEffect(() => setLabel(filters.label), [filters.label]);
  useDebounce(
    () => {
      if (label.trim() !== filters.label) {
        onChange({ ...filters, label: label.trim() });
      }
    },
    400,
    [label],
  );
  const pipelineOptions = [
    ...new Set([...pipelines, ...filters.pipeline]),
  ].sort();
  const entityOptions = entities
    ? [...new Set([...entities, ...filters.entity])].sort()
    : undefined;
  return (
    <Box display="flex" flexWrap="wrap" style={{ gap: 16 }} mb={2}>
      {entityOptions && (
        <FormControl style={{ minWidth: 240 }}>
          <InputLabel id="runs-entity-filter">Entity</InputLabel>
          <Select
            labelId="runs-entity-filter"
            inputProps={{ 'data-testid': 'entity-filter' }}
            multiple
            value={filters.entity}
            onChange={e =>
              onChange({ ...filters, entity: e.target.value as string[] })
            }
          >
            {entityOptions.map(ref => (
              <MenuItem key={ref} value={ref}>
                {ref}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
      )}
      <FormControl style={{ minWidth: 180 }}>
        <InputLabel id="runs-status-filter">Status</InputLabel>
        <Select
          labelId="runs-status-filter"
          multiple
          value={filters.status}
          onChange={e =>
            onChange({ ...filters, status: e.target.value as RunStatus[] })
          }
          renderValue={selected => (
            <Box display="flex" flexWrap="wrap">
              {(selected as string[]).map(s => (
                <Chip key={s} label={s} size="small" />
              ))}
            </Box>
          )}
          inputProps={{ 'data-testid': 'status-filter' }}
        >
          {RUN_STATUSES.map(s => (
            <MenuItem key={s} value={s}>
              {s}
            </MenuItem>
          ))}
        </Select>
      </FormControl>
      <FormControl style={{ minWidth: 180 }}>
        <InputLabel id="runs-pipeline-filter">Pipeline</InputLabel>
        <Select
          labelId="runs-pipeline-filter"
          inputProps={{ 'data-testid': 'pipeline-filter' }}
          multiple
          value={filters.pipeline}
          onChange={e =>
            onChange({ ...filters, pipeline: e.target.value as string[] })
          }
        >
          {pipelineOptions.map(p => (
            <MenuItem key={p} value={p}>
              {p}
            </MenuItem>
          ))}
        </Select>
      </FormControl>
      <ChoiceFilter
        id="cluster-filter"
        label="Cluster"
        value={filters.cluster}
        options={props.clusters}
        onChange={cluster => onChange({ ...filters, cluster })}
      />
      <ChoiceFilter
        id="namespace-filter"
        label="Namespace"
        value={filters.namespace}
        options={props.namespaces}
        onChange={namespace => onChange({ ...filters, namespace })}
      />
      <TextField
        id="runs-label-filter"
        label="Label selector"
        placeholder="team=payments,env!=prod"
        value={label}
        onChange={e => setLabel(e.target.value)}
      />
    </Box>
  );
}

/**
 * The runs of an entity, or of every entity the user may read (with an
 * Entity column and filter) when no entity is set: server-side filters,
 * search, sort and keyset paging through the Table's remote data mode;
 * updates pushed by the backend, or polling while runs on the page are
 * active and the event stream is not available.
 */
export function RunsTable(props: {
  /** The label runs need to show up, for the empty state's hint. */
  selectorHint?: string;
  /** Extra toolbar content, e.g. a Start button. */
  actions?: ReactNode;
  title?: string;
  /**
   * Polling period while runs are active and there is no event stream, and
   * while a cluster is shown at its last known state.
   */
  refreshIntervalMs?: number;
}) {
  const api = useApi(pipelinesApiRef);
  const entityRef = useOptionalPipelinesEntityRef();
  const allEntities = entityRef === undefined;
  const paths = useRunPaths();
  const tableRef = useRef<any>();
  // Filters and search live in the address: a link shows the same list,
  // and the back button undoes a change.
  const [searchParams, setSearchParams] = useSearchParams();
  const listState = useMemo(
    () => readRunListState(searchParams),
    [searchParams],
  );
  const { search: addressSearch, ...parsedFilters } = listState;
  const filtersKey = JSON.stringify(parsedFilters);
  // Same filters, same object: the table reloads only when they change.
  const filters: RunFilters = useMemo(
    () => JSON.parse(filtersKey),
    [filtersKey],
  );
  const setListState = useCallback(
    (change: Partial<RunListState>) =>
      setSearchParams(prev =>
        writeRunListState(prev, { ...readRunListState(prev), ...change }),
      ),
    [setSearchParams],
  );
  // The table keeps its search box's text itself: it is remounted with the
  // address's search only when that changed from outside the box.
  const typedSearch = useRef(addressSearch);
  const [searchGeneration, setSearchGeneration] = useState(0);
  useEffect(() => {
    if (addressSearch !== typedSearch.current) {
      typedSearch.current = addressSearch;
      setSearchGeneration(g => g + 1);
    }
  }, [addressSearch]);

  const [seen, setSeen] = useState<Seen>(NOTHING_SEEN);
  // The filters offer the Pipelines (with their entities, clusters and
  // namespaces) and whatever runs showed.
  const { value: declared } = useAsync(
    () => api.listPipelines(entityRef).catch(() => undefined),
    [api, entityRef],
  );
  const options = useMemo(() => {
    const items = declared?.items ?? [];
    const merge = (a: string[], b: string[]) => [...new Set([...a, ...b])];
    return {
      pipelines: merge(
        items.map(p => p.name),
        seen.pipelines,
      ),
      clusters: merge(
        items.map(p => p.cluster),
        seen.clusters,
      ),
      namespaces: merge(
        items.map(p => p.namespace),
        seen.namespaces,
      ),
      entities: allEntities
        ? merge(
            items.map(p => p.entityRef),
            seen.entities,
          )
        : undefined,
    };
  }, [declared, seen, allEntities]);
  // Runs link to their Pipeline's page when it is one of the declared ones.
  const declaredPipelines = useMemo(
    () =>
      new Set(
        (declared?.items ?? []).map(
          p => `${p.cluster}/${p.namespace}/${p.name}`,
        ),
      ),
    [declared],
  );
  const [error, setError] = useState<Error>();
  const [clusterErrors, setClusterErrors] = useState<RunsPage['clusterErrors']>(
    [],
  );
  const [hasActive, setHasActive] = useState(false);
  // Cursors of pages already reached, per query shape; page 0 needs none.
  const cursors = useRef<{ key: string; byPage: Map<number, string> }>({
    key: '',
    byPage: new Map(),
  });

  // Live updates: the backend pushes run changes; the page reloads once per
  // burst of them. Without the stream, poll while runs on the page are active.
  const reloadTimer = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => () => clearTimeout(reloadTimer.current), []);
  const { connected } = useRunEvents(entityRef, () => {
    if (reloadTimer.current) return;
    reloadTimer.current = setTimeout(() => {
      reloadTimer.current = undefined;
      tableRef.current?.onQueryChange?.();
    }, PUSH_RELOAD_MS);
  });
  useInterval(
    () => tableRef.current?.onQueryChange?.(),
    hasActive && !connected
      ? props.refreshIntervalMs ?? ACTIVE_REFRESH_MS
      : null,
  );
  // A cluster shown at its last known state pushes nothing: ask until it is back.
  useRefreshWhileStale(
    clusterErrors,
    () => tableRef.current?.onQueryChange?.(),
    props.refreshIntervalMs,
  );

  const filtered = isFiltered(filters);

  const columns: TableColumn<Row>[] = useMemo(
    () => [
      {
        title: 'Status',
        field: 'status',
        cellStyle: NO_WRAP,
        render: row => <RunStatusView status={row.status} />,
      },
      {
        title: 'Run',
        field: 'name',
        highlight: true,
        // Run names are long (pipeline name + suffix): one line, the
        // whole name on hover.
        cellStyle: { ...NO_WRAP, ...ELLIPSIS, maxWidth: 260 },
        render: row => (
          <Link to={paths.run(row, row.entityRef)} title={row.name}>
            {row.name}
          </Link>
        ),
      },
      ...(allEntities
        ? [
            {
              title: 'Entity',
              field: 'entityRef',
              sorting: false,
              cellStyle: { ...NO_WRAP, ...ELLIPSIS, maxWidth: 200 },
              render: (row: Row) => <EntityRefLink entityRef={row.entityRef} />,
            },
          ]
        : []),
      {
        title: 'Pipeline',
        field: 'pipeline',
        cellStyle: { ...NO_WRAP, ...ELLIPSIS, maxWidth: 200 },
        render: row => {
          if (!row.pipeline) return '—';
          const ref = {
            cluster: row.cluster,
            namespace: row.namespace,
            name: row.pipeline,
          };
          return declaredPipelines.has(
            `${ref.cluster}/${ref.namespace}/${ref.name}`,
          ) ? (
            <Link to={paths.pipeline(ref, row.entityRef)} title={row.pipeline}>
              {row.pipeline}
            </Link>
          ) : (
            <span title={row.pipeline}>{row.pipeline}</span>
          );
        },
      },
      {
        title: 'Trigger',
        field: 'trigger',
        sorting: false,
        cellStyle: { ...NO_WRAP, ...ELLIPSIS, maxWidth: 200 },
        render: row => <TriggerView run={row} />,
      },
      {
        title: 'Namespace',
        field: 'namespace',
        sorting: false,
        cellStyle: NO_WRAP,
        render: row => (
          <span title={`namespace ${row.namespace} on cluster ${row.cluster}`}>
            {row.namespace}
            <Typography
              component="span"
              variant="caption"
              color="textSecondary"
            >
              {' '}
              {row.cluster}
            </Typography>
          </span>
        ),
      },
      {
        title: 'Started',
        field: 'startTime',
        cellStyle: NO_WRAP,
        render: row => startLabel(row),
      },
      {
        title: 'Duration',
        field: 'durationMs',
        cellStyle: NO_WRAP,
        render: row =>
          row.durationMs !== undefined ? formatDuration(row.durationMs) : '—',
      },
      {
        title: 'Tasks',
        field: 'progress',
        sorting: false,
        cellStyle: { minWidth: 90 },
        render: row => <TaskProgressBar progress={row.progress} />,
      },
    ],
    [paths, allEntities, declaredPipelines],
  );

  const load = useCallback(
    async (query: {
      page: number;
      pageSize: number;
      search: string;
      orderBy?: { field?: unknown };
      orderDirection?: string;
    }) => {
      const field = query.orderBy?.field as string | undefined;
      const sort: RunSortField = (field && SORTABLE[field]) || 'started';
      const order: 'asc' | 'desc' =
        field && query.orderDirection === 'asc' ? 'asc' : 'desc';
      const search = query.search?.trim() || undefined;
      if ((search ?? '') !== typedSearch.current) {
        typedSearch.current = search ?? '';
        setListState({ search: search ?? '' });
      }
      const base = {
        entityRef,
        entity: filters.entity,
        status: filters.status,
        pipeline: filters.pipeline,
        cluster: filters.cluster || undefined,
        namespace: filters.namespace || undefined,
        label: filters.label || undefined,
        search,
        sort,
        order,
        limit: query.pageSize,
      };
      const key = JSON.stringify(base);
      if (cursors.current.key !== key) {
        cursors.current = { key, byPage: new Map() };
      }
      const { byPage } = cursors.current;
      try {
        // Keyset pages: walk forward from the last page whose cursor we know.
        let page = query.page;
        while (page > 0 && !byPage.has(page)) page -= 1;
        let result: RunsPage = await api.listRuns({
          ...base,
          cursor: byPage.get(page),
        });
        while (page < query.page && result.nextCursor) {
          page += 1;
          byPage.set(page, result.nextCursor);
          result = await api.listRuns({ ...base, cursor: result.nextCursor });
        }
        if (result.nextCursor) byPage.set(page + 1, result.nextCursor);
        setError(undefined);
        setClusterErrors(result.clusterErrors ?? []);
        setHasActive(result.items.some(r => isActive(r.status.status)));
        setSeen(prev => addSeen(prev, result.items));
        return {
          data: result.items.map(r => ({
            ...r,
            id: `${r.cluster}/${r.namespace}/${r.name}`,
          })),
          page,
          totalCount: result.totalCount,
        };
      } catch (e) {
        setError(e as Error);
        setHasActive(false);
        return { data: [], page: 0, totalCount: 0 };
      }
    },
    [api, entityRef, filters, setListState],
  );

  const empty =
    filtered || addressSearch ? (
      <Box p={2}>No runs match these filters.</Box>
    ) : (
      <EmptyState
        missing="data"
        title="No pipeline runs yet"
        description={
          <>
            Runs show here once their Tekton objects carry{' '}
            {allEntities
              ? 'the label of a catalog entity whose runs you may read'
              : "the entity's label"}
            {props.selectorHint ? (
              <>
                {' '}
                <code>{props.selectorHint}</code>
              </>
            ) : null}
            . Put the label on the Pipeline so Tekton copies it to every
            PipelineRun, and opt the entity in with the annotation{' '}
            <code>cairn.dev/pipelines: "true"</code> plus{' '}
            <code>backstage.io/kubernetes-id</code> (or{' '}
            <code>backstage.io/kubernetes-label-selector</code>).
          </>
        }
      />
    );

  return (
    <>
      {error && (
        <Box mb={2}>
          <ResponseErrorPanel error={error} />
        </Box>
      )}
      <ClusterErrors errors={clusterErrors} what="Runs" />
      <FilterBar
        filters={filters}
        pipelines={options.pipelines}
        clusters={options.clusters}
        namespaces={options.namespaces}
        entities={options.entities}
        onChange={setListState}
      />
      {props.actions}
      <Table<Row>
        key={JSON.stringify([entityRef, filters, searchGeneration])}
        tableRef={tableRef}
        title={props.title ?? 'Pipeline runs'}
        columns={columns}
        data={load}
        options={{
          search: true,
          searchText: addressSearch,
          paging: true,
          pageSize: 25,
          pageSizeOptions: [10, 25, 50, 100],
          debounceInterval: 400,
          padding: 'dense',
        }}
        localization={{ body: { emptyDataSourceMessage: empty } }}
      />
    </>
  );
}
