import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

/** A run whose logs are archived. @public */
export interface ArchivedRun {
  runUid: string;
  cluster: string;
  namespace: string;
  name: string;
  labels: Record<string, string>;
  archivedAt: Date;
}

/** The archived log of one step. @public */
export interface ArchivedStepLog {
  taskRun: string;
  step: string;
  container: string;
  content: string;
}

/** Where archived logs are kept. @public */
export interface LogStore {
  /** Stores a run and its step logs; a run already stored is left as it is. */
  archiveRun(run: ArchivedRun, logs: ArchivedStepLog[]): Promise<void>;
  isArchived(runUid: string): Promise<boolean>;
  /** Which of these runs are stored (at most a few hundred per call). */
  archivedAmong(runUids: string[]): Promise<Set<string>>;
  /** The newest archived run of that name (names repeat after deletion). */
  findRun(
    cluster: string,
    namespace: string,
    name: string,
  ): Promise<ArchivedRun | undefined>;
  getStepLog(
    runUid: string,
    taskRun: string,
    step: string,
  ): Promise<ArchivedStepLog | undefined>;
  /** Deletes runs archived before `cutoff`; returns how many. */
  deleteArchivedBefore(cutoff: Date): Promise<number>;
}

const migrationsDir = resolvePackagePath(
  '@cairn/plugin-pipelines-backend',
  'migrations',
);

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

  async archiveRun(run: ArchivedRun, logs: ArchivedStepLog[]): Promise<void> {
    await this.db.transaction(async tx => {
      const inserted = await tx('archived_runs')
        .insert({
          run_uid: run.runUid,
          cluster: run.cluster,
          namespace: run.namespace,
          name: run.name,
          labels: JSON.stringify(run.labels),
          archived_at: run.archivedAt,
        })
        .onConflict('run_uid')
        .ignore()
        .returning('run_uid');
      if (inserted.length === 0 || logs.length === 0) return;
      // Batches keep each statement under SQLite's variable limit.
      for (let i = 0; i < logs.length; i += 100) {
        await tx('step_logs').insert(
          logs.slice(i, i + 100).map(log => ({
            run_uid: run.runUid,
            task_run: log.taskRun,
            step: log.step,
            container: log.container,
            content: log.content,
          })),
        );
      }
    });
  }

  async isArchived(runUid: string): Promise<boolean> {
    const row = await this.db('archived_runs')
      .where({ run_uid: runUid })
      .first('run_uid');
    return Boolean(row);
  }

  async archivedAmong(runUids: string[]): Promise<Set<string>> {
    const rows = await this.db('archived_runs')
      .whereIn('run_uid', runUids)
      .select('run_uid');
    return new Set(rows.map(row => row.run_uid as string));
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
    };
  }

  async getStepLog(
    runUid: string,
    taskRun: string,
    step: string,
  ): Promise<ArchivedStepLog | undefined> {
    const row = await this.db('step_logs')
      .where({ run_uid: runUid, task_run: taskRun, step })
      .first();
    return row
      ? {
          taskRun: row.task_run,
          step: row.step,
          container: row.container,
          content: row.content,
        }
      : undefined;
  }

  async deleteArchivedBefore(cutoff: Date): Promise<number> {
    let deleted = 0;
    await this.db.transaction(async tx => {
      const old = tx('archived_runs')
        .where('archived_at', '<', cutoff)
        .select('run_uid');
      // Explicit, for SQLite connections without foreign keys enforced.
      await tx('step_logs').whereIn('run_uid', old).delete();
      deleted = Number(
        await tx('archived_runs').where('archived_at', '<', cutoff).delete(),
      );
    });
    return deleted;
  }
}
