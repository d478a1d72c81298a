import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import type {
  EnvironmentRequest,
  EnvironmentRequestState,
} from '@cairn/plugin-environments-common';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@cairn/plugin-environments-backend',
  'migrations',
);

const TABLE = 'environment_requests';

/** What {@link RequestStore.list} keeps. */
export interface RequestFilter {
  /** Only the requests of these owner groups (lower case refs); all if absent. */
  groups?: string[];
  state?: EnvironmentRequestState;
}

/** A decision to record. */
export interface RequestDecision {
  state: 'approved' | 'rejected';
  decidedBy: string;
  decidedAt: Date;
  comment?: string;
}

type Row = Record<string, any>;

function fromRow(row: Row): EnvironmentRequest {
  const requested = JSON.parse(row.requested);
  // SQLite hands back the stored number or text; PostgreSQL a Date.
  const iso = (value: unknown) =>
    value === null || value === undefined
      ? undefined
      : new Date(value as string).toISOString();
  const request: EnvironmentRequest = {
    id: row.id,
    kind: row.kind,
    cluster: row.cluster,
    environment: row.environment,
    namespace: row.namespace,
    group: row.owner_group,
    ...(row.kind === 'environment'
      ? { spec: requested }
      : { quota: requested }),
    reason: row.reason,
    requestedBy: row.requested_by,
    requestedAt: iso(row.requested_at)!,
    state: row.state,
  };
  if (row.decided_by) request.decidedBy = row.decided_by;
  if (row.decided_at) request.decidedAt = iso(row.decided_at);
  if (row.comment) request.comment = row.comment;
  if (row.error) request.error = row.error;
  return request;
}

/** Requests for environments and quota in the plugin's database (table `environment_requests`). */
export class RequestStore {
  static async create(database: DatabaseService): Promise<RequestStore> {
    const knex = await database.getClient();
    if (!database.migrations?.skip) {
      await knex.migrate.latest({ directory: migrationsDir });
    }
    return new RequestStore(knex);
  }

  constructor(private readonly db: Knex) {}

  async add(request: EnvironmentRequest): Promise<void> {
    await this.db(TABLE).insert({
      id: request.id,
      kind: request.kind,
      cluster: request.cluster,
      environment: request.environment,
      namespace: request.namespace,
      owner_group: request.group,
      requested: JSON.stringify(
        request.kind === 'environment' ? request.spec : request.quota,
      ),
      reason: request.reason,
      requested_by: request.requestedBy,
      requested_at: new Date(request.requestedAt),
      state: request.state,
    });
  }

  async get(id: string): Promise<EnvironmentRequest | undefined> {
    const row = await this.db(TABLE).where({ id }).first();
    return row ? fromRow(row) : undefined;
  }

  /** The requests `filter` keeps, newest first. */
  async list(filter: RequestFilter = {}): Promise<EnvironmentRequest[]> {
    const query = this.db(TABLE);
    if (filter.groups) query.whereIn('owner_group', filter.groups);
    if (filter.state) query.where({ state: filter.state });
    const rows = await query.orderBy([
      { column: 'requested_at', order: 'desc' },
      { column: 'id', order: 'asc' },
    ]);
    return rows.map(fromRow);
  }

  /** Another pending request for the same change (same kind, cluster and environment), if any. */
  async pendingFor(
    request: Pick<EnvironmentRequest, 'kind' | 'cluster' | 'environment'>,
  ): Promise<EnvironmentRequest | undefined> {
    const row = await this.db(TABLE)
      .where({
        kind: request.kind,
        cluster: request.cluster,
        environment: request.environment,
        state: 'pending',
      })
      .first();
    return row ? fromRow(row) : undefined;
  }

  /**
   * Records a decision on a pending request; false when it was not pending
   * any more (someone decided it meanwhile), which changes nothing.
   */
  async decide(id: string, decision: RequestDecision): Promise<boolean> {
    const updated = await this.db(TABLE)
      .where({ id, state: 'pending' })
      .update({
        state: decision.state,
        decided_by: decision.decidedBy,
        decided_at: decision.decidedAt,
        comment: decision.comment ?? null,
        error: null,
      });
    return updated === 1;
  }

  /** Records why an approval could not be applied; the request stays pending. */
  async setError(id: string, error: string): Promise<void> {
    await this.db(TABLE).where({ id, state: 'pending' }).update({ error });
  }
}
