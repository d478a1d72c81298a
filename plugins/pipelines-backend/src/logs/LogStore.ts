import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { archiveCap, planAppend } from './archiveLayout';
import { readChunksByBinaryCopy } from './pgBinaryCopy';
import { ResumePoint } from './timestampedLines';

/** A run whose step logs are (being) archived. @public */
export interface ArchivedRun {
  runUid: string;
  cluster: string;
  namespace: string;
  name: string;
  labels: Record<string, string>;
  archivedAt: Date;
  /** When retention deleted its logs; the run row stays to say so. */
  logsExpiredAt?: Date;
}

/** One step container of one attempt of a TaskRun. @public */
export interface StepKey {
  runUid: string;
  taskRun: string;
  /** 0 for the first attempt, then one per retry. */
  attempt: number;
  step: string;
}

/**
 * `open` while it is being archived, `complete` once the container ended and
 * all it wrote is stored, `gone` when the pod went before it could be read.
 * @public
 */
export type StepArchiveState = 'open' | 'complete' | 'gone';

/** The archive of one step's log. @public */
export interface StepArchive extends StepKey {
  id: number;
  container: string;
  pod: string;
  state: StepArchiveState;
  /** Why the log is gone or may be partial. */
  note?: string;
  /** Bytes the step wrote that the archive has seen (stored or cut). */
  written: number;
  /** Where following stopped (to resume without gap or duplicate). */
  resume?: ResumePoint;
  /** The cap in force when archiving began; undefined: uncapped. */
  maxBytes?: number;
  holder?: string;
  /** Epoch ms after which another replica may take over. */
  leaseExpiresAt: number;
}

/** Bytes to append to a step's archive, and where the log then stands. @public */
export interface LogAppend {
  stepId: number;
  /** `written` before this append: a stale writer is refused. */
  written: number;
  data: Buffer;
  resume?: ResumePoint;
}

/** Stored bytes of a log at their offset in the log as written. @public */
export interface LogChunk {
  offset: number;
  content: Buffer;
}

/** Where archived logs are kept. @public */
export interface LogStore {
  /** Records a run; a run already recorded is left as it is. */
  saveRun(run: ArchivedRun): Promise<void>;
  /** The step's archive, created open if it does not exist yet. */
  openStep(
    key: StepKey,
    where: { container: string; pod: string; maxBytes?: number },
  ): Promise<StepArchive>;
  getStep(key: StepKey): Promise<StepArchive | undefined>;
  getStepById(id: number): Promise<StepArchive | undefined>;
  /** The last attempt archived of a step. */
  latestAttempt(
    runUid: string,
    taskRun: string,
    step: string,
  ): Promise<StepArchive | undefined>;
  /** Every step archive of these runs (at most a few hundred runs per call). */
  stepsOfRuns(runUids: string[]): Promise<StepArchive[]>;
  /**
   * Takes the lease on an open step if nobody holds it or it expired
   * (`now`); the step as it then is, or undefined if someone else holds it.
   */
  acquire(
    stepId: number,
    holder: string,
    leaseUntil: number,
    now: number,
  ): Promise<StepArchive | undefined>;
  /** Extends every lease `holder` has. */
  renewLeases(holder: string, leaseUntil: number): Promise<void>;
  /** Who holds these steps, and until when. */
  leaseStates(
    stepIds: number[],
  ): Promise<
    Array<Pick<StepArchive, 'id' | 'state' | 'holder' | 'leaseExpiresAt'>>
  >;
  /** Gives up every open step `holder` holds (shutdown). */
  release(holder: string): Promise<void>;
  /**
   * Appends in one transaction, each only while `holder` holds its step and
   * the step stands at the append's `written`; the ids refused.
   */
  append(
    holder: string,
    appends: LogAppend[],
    leaseUntil: number,
  ): Promise<Set<number>>;
  /** Ends a step's archive (if `holder` holds it). */
  finish(
    stepId: number,
    holder: string,
    state: Exclude<StepArchiveState, 'open'>,
    note?: string,
  ): Promise<boolean>;
  /**
   * Up to `limit` stored chunks overlapping `[start, end)`, in order. A
   * stored chunk may come as several consecutive pieces (each with its own
   * offset), as the database delivered it.
   */
  readChunks(
    stepId: number,
    start: number,
    end: number,
    limit: number,
  ): Promise<LogChunk[]>;
  /** The newest run of that name (names repeat after deletion). */
  findRun(
    cluster: string,
    namespace: string,
    name: string,
  ): Promise<ArchivedRun | undefined>;
  /**
   * Deletes the logs of runs archived before `cutoff` (keeping their rows,
   * marked expired, for a year); returns how many runs.
   */
  expireBefore(cutoff: Date, now?: Date): Promise<number>;
}

/** The largest chunk row; reads look this far back for a chunk overlapping. */
export const MAX_CHUNK_BYTES = 256 * 1024;

/** How long a run stays known as expired after its logs were deleted. */
const EXPIRED_KEPT_MS = 365 * 86_400_000;

const migrationsDir = resolvePackagePath(
  '@cairn/plugin-pipelines-backend',
  'migrations',
);

type StepRow = Record<string, any>;

function stepFromRow(row: StepRow): StepArchive {
  return {
    id: Number(row.id),
    runUid: row.run_uid,
    taskRun: row.task_run,
    attempt: Number(row.attempt),
    step: row.step,
    container: row.container,
    pod: row.pod,
    state: row.state,
    note: row.note ?? undefined,
    written: Number(row.written),
    resume: row.resume_time
      ? { time: row.resume_time, lines: Number(row.resume_lines) }
      : undefined,
    maxBytes: row.max_bytes === null ? undefined : Number(row.max_bytes),
    holder: row.holder ?? undefined,
    leaseExpiresAt: Number(row.lease_expires_at),
  };
}

const keyWhere = (key: StepKey) => ({
  run_uid: key.runUid,
  task_run: key.taskRun,
  attempt: key.attempt,
  step: key.step,
});

/**
 * The log archive in the plugin's database (SQLite or PostgreSQL).
 * @public
 */
export class DatabaseLogStore implements LogStore {
  static async create(database: DatabaseService): Promise<DatabaseLogStore> {
    const knex = await database.getClient();
    if (!database.migrations?.skip) {
      await knex.migrate.latest({ directory: migrationsDir });
    }
    return new DatabaseLogStore(knex);
  }

  constructor(private readonly db: Knex) {}

  async saveRun(run: ArchivedRun): Promise<void> {
    await this.db('archived_runs')
      .insert({
        run_uid: run.runUid,
        cluster: run.cluster,
        namespace: run.namespace,
        name: run.name,
        labels: JSON.stringify(run.labels),
        archived_at: run.archivedAt,
      })
      .onConflict('run_uid')
      .ignore();
  }

  async openStep(
    key: StepKey,
    where: { container: string; pod: string; maxBytes?: number },
  ): Promise<StepArchive> {
    await this.db('log_steps')
      .insert({
        ...keyWhere(key),
        container: where.container,
        pod: where.pod,
        state: 'open',
        max_bytes: where.maxBytes ?? null,
      })
      .onConflict(['run_uid', 'task_run', 'attempt', 'step'])
      .ignore();
    return (await this.getStep(key))!;
  }

  async getStep(key: StepKey): Promise<StepArchive | undefined> {
    const row = await this.db('log_steps').where(keyWhere(key)).first();
    return row ? stepFromRow(row) : undefined;
  }

  async getStepById(id: number): Promise<StepArchive | undefined> {
    const row = await this.db('log_steps').where({ id }).first();
    return row ? stepFromRow(row) : undefined;
  }

  async latestAttempt(
    runUid: string,
    taskRun: string,
    step: string,
  ): Promise<StepArchive | undefined> {
    const row = await this.db('log_steps')
      .where({ run_uid: runUid, task_run: taskRun, step })
      .orderBy('attempt', 'desc')
      .first();
    return row ? stepFromRow(row) : undefined;
  }

  async stepsOfRuns(runUids: string[]): Promise<StepArchive[]> {
    if (runUids.length === 0) return [];
    const rows = await this.db('log_steps').whereIn('run_uid', runUids);
    return rows.map(stepFromRow);
  }

  async acquire(
    stepId: number,
    holder: string,
    leaseUntil: number,
    now: number,
  ): Promise<StepArchive | undefined> {
    const updated = await this.db('log_steps')
      .where({ id: stepId, state: 'open' })
      .andWhere(q =>
        q
          .whereNull('holder')
          .orWhere('holder', holder)
          .orWhere('lease_expires_at', '<', now),
      )
      .update({ holder, lease_expires_at: leaseUntil });
    if (updated !== 1) return undefined;
    return this.getStepById(stepId);
  }

  async renewLeases(holder: string, leaseUntil: number): Promise<void> {
    await this.db('log_steps')
      .where({ holder, state: 'open' })
      .update({ lease_expires_at: leaseUntil });
  }

  async leaseStates(
    stepIds: number[],
  ): Promise<
    Array<Pick<StepArchive, 'id' | 'state' | 'holder' | 'leaseExpiresAt'>>
  > {
    const states = [];
    for (let i = 0; i < stepIds.length; i += 500) {
      const rows = await this.db('log_steps')
        .whereIn('id', stepIds.slice(i, i + 500))
        .select('id', 'state', 'holder', 'lease_expires_at');
      states.push(
        ...rows.map(row => ({
          id: Number(row.id),
          state: row.state,
          holder: row.holder ?? undefined,
          leaseExpiresAt: Number(row.lease_expires_at),
        })),
      );
    }
    return states;
  }

  async release(holder: string): Promise<void> {
    await this.db('log_steps')
      .where({ holder, state: 'open' })
      .update({ holder: null, lease_expires_at: 0 });
  }

  async append(
    holder: string,
    appends: LogAppend[],
    leaseUntil: number,
  ): Promise<Set<number>> {
    const refused = new Set<number>();
    if (appends.length === 0) return refused;
    await this.db.transaction(async tx => {
      for (const append of appends) {
        const row = await tx('log_steps')
          .where({ id: append.stepId })
          .first('max_bytes');
        const updated = await tx('log_steps')
          .where({
            id: append.stepId,
            holder,
            state: 'open',
            written: append.written,
          })
          .update({
            written: append.written + append.data.length,
            resume_time: append.resume?.time ?? null,
            resume_lines: append.resume?.lines ?? 0,
            lease_expires_at: leaseUntil,
          });
        if (updated !== 1 || !row) {
          refused.add(append.stepId);
          continue;
        }
        const maxBytes =
          row.max_bytes === null ? undefined : Number(row.max_bytes);
        const cap = archiveCap(maxBytes ?? Number.MAX_SAFE_INTEGER);
        const { pieces, dropBefore } = planAppend(
          append.written,
          append.data.length,
          cap,
        );
        const rows = [];
        for (const piece of pieces) {
          for (let at = piece.from; at < piece.to; at += MAX_CHUNK_BYTES) {
            const content = append.data.subarray(
              at,
              Math.min(piece.to, at + MAX_CHUNK_BYTES),
            );
            rows.push({
              step_id: append.stepId,
              byte_offset: piece.offset + (at - piece.from),
              byte_length: content.length,
              content,
            });
          }
        }
        // A few rows per statement: SQLite's variable limit, PostgreSQL's
        // message size.
        for (let i = 0; i < rows.length; i += 8) {
          await tx('log_chunks').insert(rows.slice(i, i + 8));
        }
        if (maxBytes !== undefined && dropBefore > cap.headBytes) {
          await tx('log_chunks')
            .where({ step_id: append.stepId })
            .andWhere('byte_offset', '>=', cap.headBytes)
            .andWhereRaw('byte_offset + byte_length <= ?', [dropBefore])
            .delete();
        }
      }
    });
    return refused;
  }

  async finish(
    stepId: number,
    holder: string,
    state: Exclude<StepArchiveState, 'open'>,
    note?: string,
  ): Promise<boolean> {
    const updated = await this.db('log_steps')
      .where({ id: stepId, holder, state: 'open' })
      .update({ state, note: note ?? null, holder: null, lease_expires_at: 0 });
    return updated === 1;
  }

  async readChunks(
    stepId: number,
    start: number,
    end: number,
    limit: number,
  ): Promise<LogChunk[]> {
    const after = start - MAX_CHUNK_BYTES;
    if (this.db.client.config.client === 'pg') {
      // Raw SQL: a download runs this query per few chunks, and the query
      // builder's compiling showed in its profile.
      const select = this.db
        .raw(
          'SELECT byte_offset, content FROM log_chunks WHERE step_id = ? AND byte_offset > ? AND byte_offset < ? AND byte_offset + byte_length > ? ORDER BY byte_offset LIMIT ?',
          [stepId, after, end, start, limit],
        )
        .toQuery();
      return readChunksByBinaryCopy(this.db, select);
    }
    const rows = await this.db('log_chunks')
      .where({ step_id: stepId })
      .andWhere('byte_offset', '>', after)
      .andWhere('byte_offset', '<', end)
      .andWhereRaw('byte_offset + byte_length > ?', [start])
      .orderBy('byte_offset')
      .limit(limit)
      .select('byte_offset', 'content');
    return rows.map(row => ({
      offset: Number(row.byte_offset),
      content: row.content as Buffer,
    }));
  }

  async findRun(
    cluster: string,
    namespace: string,
    name: string,
  ): Promise<ArchivedRun | undefined> {
    const row = await this.db('archived_runs')
      .where({ cluster, namespace, name })
      .orderBy('archived_at', 'desc')
      .first();
    if (!row) return undefined;
    return {
      runUid: row.run_uid,
      cluster: row.cluster,
      namespace: row.namespace,
      name: row.name,
      labels: JSON.parse(row.labels),
      archivedAt: new Date(row.archived_at),
      logsExpiredAt: row.logs_expired_at
        ? new Date(row.logs_expired_at)
        : undefined,
    };
  }

  async expireBefore(cutoff: Date, now = new Date()): Promise<number> {
    let expired = 0;
    await this.db.transaction(async tx => {
      const old = () =>
        tx('archived_runs')
          .where('archived_at', '<', cutoff)
          .whereNull('logs_expired_at')
          .select('run_uid');
      const steps = tx('log_steps').whereIn('run_uid', old()).select('id');
      // Explicit, for SQLite connections without foreign keys enforced.
      await tx('log_chunks').whereIn('step_id', steps).delete();
      await tx('log_steps').whereIn('run_uid', old()).delete();
      expired = Number(
        await tx('archived_runs')
          .where('archived_at', '<', cutoff)
          .whereNull('logs_expired_at')
          .update({ logs_expired_at: now }),
      );
      await tx('archived_runs')
        .where(
          'logs_expired_at',
          '<',
          new Date(now.getTime() - EXPIRED_KEPT_MS),
        )
        .delete();
    });
    return expired;
  }
}
