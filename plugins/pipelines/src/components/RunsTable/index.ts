export { RunsTable, ACTIVE_REFRESH_MS } from './RunsTable';
export type { RunFilters } from './runFilters';
