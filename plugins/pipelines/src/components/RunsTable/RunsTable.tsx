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
} from '@material-ui/core';
import useDebounce from 'react-use/esm/useDebounce';
import useAsync from 'react-use/esm/useAsync';
import useInterval from 'react-use/esm/useInterval';
import {
  formatDuration,
  RUN_STATUSES,
  RunStatus,
} from '@cairn/plugin-pipelines-common';
import { pipelinesApiRef, RunSortField, RunsPage, RunSummary } from '../../api';
import {
  formatRelative,
  isActive,
  RunStatusView,
  TaskProgressBar,
  triggerLabel,
} from '../RunStatus';
import {
  useOptionalPipelinesEntityRef,
  useRunPaths,
} from '../EntityRefContext';
import { useRunEvents } from '../useRunEvents';
import { ClusterErrors, isStale, STALE_REFRESH_MS } from '../ClusterErrors';

/**
 * How often the list refreshes while one of its runs is still active and the
 * backend's event stream is not available.
 */
export const ACTIVE_REFRESH_MS = 5000;

/** Changes pushed together within this time cause one reload of the page. */
export const PUSH_RELOAD_MS = 300;

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

const NO_FILTERS: RunFilters = {
  entity: [],
  status: [],
  pipeline: [],
  cluster: '',
  namespace: '',
  label: '',
};

/** Columns the server sorts by, by column field. */
const SORTABLE: Record<string, RunSortField> = {
  name: 'name',
  status: 'status',
  pipeline: 'pipeline',
  startTime: 'started',
  durationMs: 'duration',
};

type Row = RunSummary & { id: string };

function FilterBar(props: {
  filters: RunFilters;
  pipelines: string[];
  /** Entities to filter by; no entity filter when undefined. */
  entities?: string[];
  onChange: (filters: RunFilters) => void;
}) {
  const { filters, pipelines, entities, onChange } = props;
  const [cluster, setCluster] = useState(filters.cluster);
  const [namespace, setNamespace] = useState(filters.namespace);
  const [label, setLabel] = useState(filters.label);
  useDebounce(
    () => {
      if (
        cluster !== filters.cluster ||
        namespace !== filters.namespace ||
        label !== filters.label
      ) {
        onChange({
          ...filters,
          cluster: cluster.trim(),
          namespace: namespace.trim(),
          label: label.trim(),
        });
      }
    },
    400,
    [cluster, namespace, label],
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
      <TextField
        id="runs-cluster-filter"
        label="Cluster"
        value={cluster}
        onChange={e => setCluster(e.target.value)}
      />
      <TextField
        id="runs-namespace-filter"
        label="Namespace"
        value={namespace}
        onChange={e => setNamespace(e.target.value)}
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
  const [filters, setFilters] = useState<RunFilters>(NO_FILTERS);
  const [seenPipelines, setSeenPipelines] = useState<string[]>([]);
  const [seenEntities, setSeenEntities] = useState<string[]>([]);
  // The filters offer the Pipelines (and their entities) and any pipeline
  // (and entity) seen in runs.
  const { value: declared } = useAsync(
    () => api.listPipelines(entityRef).catch(() => undefined),
    [api, entityRef],
  );
  const pipelines = useMemo(
    () => [
      ...new Set([
        ...(declared?.items.map(p => p.name) ?? []),
        ...seenPipelines,
      ]),
    ],
    [declared, seenPipelines],
  );
  const entities = useMemo(
    () =>
      allEntities
        ? [
            ...new Set([
              ...(declared?.items.map(p => p.entityRef) ?? []),
              ...seenEntities,
            ]),
          ]
        : undefined,
    [allEntities, declared, seenEntities],
  );
  const [error, setError] = useState<Error>();
  const [clusterErrors, setClusterErrors] = useState<RunsPage['clusterErrors']>(
    [],
  );
  const [hasActive, setHasActive] = useState(false);
  const [searched, setSearched] = useState(false);
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
  useInterval(
    () => tableRef.current?.onQueryChange?.(),
    isStale(clusterErrors) ? props.refreshIntervalMs ?? STALE_REFRESH_MS : null,
  );

  const filtered =
    filters.entity.length > 0 ||
    filters.status.length > 0 ||
    filters.pipeline.length > 0 ||
    Boolean(filters.cluster) ||
    Boolean(filters.namespace) ||
    Boolean(filters.label);

  const columns: TableColumn<Row>[] = useMemo(
    () => [
      {
        title: 'Status',
        field: 'status',
        // "Succeeded, some tasks skipped" broke over four lines.
        cellStyle: { minWidth: 170 },
        render: row => <RunStatusView status={row.status} />,
      },
      {
        title: 'Run',
        field: 'name',
        highlight: true,
        // Run names are long (pipeline name + suffix): room for them first.
        cellStyle: { minWidth: 200, wordBreak: 'break-word' },
        render: row => (
          <Link to={paths.run(row, row.entityRef)}>{row.name}</Link>
        ),
      },
      ...(allEntities
        ? [
            {
              title: 'Entity',
              field: 'entityRef',
              sorting: false,
              cellStyle: { minWidth: 110 },
              render: (row: Row) => <EntityRefLink entityRef={row.entityRef} />,
            },
          ]
        : []),
      { title: 'Pipeline', field: 'pipeline' },
      {
        title: 'Trigger',
        field: 'trigger',
        sorting: false,
        render: row => triggerLabel(row),
      },
      {
        title: 'Namespace',
        field: 'namespace',
        sorting: false,
        render: row => `${row.namespace} (${row.cluster})`,
      },
      {
        title: 'Started',
        field: 'startTime',
        render: row => (
          <span title={row.startTime ?? row.createdAt}>
            {formatRelative(row.startTime ?? row.createdAt) || '—'}
          </span>
        ),
      },
      {
        title: 'Duration',
        field: 'durationMs',
        render: row =>
          row.durationMs !== undefined ? formatDuration(row.durationMs) : '—',
      },
      {
        title: 'Tasks',
        field: 'progress',
        sorting: false,
        render: row => <TaskProgressBar progress={row.progress} />,
      },
    ],
    [paths, allEntities],
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
        setSearched(Boolean(search));
        setHasActive(result.items.some(r => isActive(r.status.status)));
        setSeenPipelines(prev => {
          const names = new Set(prev);
          result.items.forEach(r => r.pipeline && names.add(r.pipeline));
          return names.size === prev.length ? prev : [...names].sort();
        });
        setSeenEntities(prev => {
          const refs = new Set(prev);
          result.items.forEach(r => refs.add(r.entityRef));
          return refs.size === prev.length ? prev : [...refs].sort();
        });
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
    [api, entityRef, filters],
  );

  const empty =
    filtered || searched ? (
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
        pipelines={pipelines}
        entities={entities}
        onChange={setFilters}
      />
      {props.actions}
      <Table<Row>
        key={JSON.stringify([entityRef, filters])}
        tableRef={tableRef}
        title={props.title ?? 'Pipeline runs'}
        columns={columns}
        data={load}
        options={{
          search: true,
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
