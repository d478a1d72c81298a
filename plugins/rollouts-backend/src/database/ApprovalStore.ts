import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@cairn/plugin-rollouts-backend',
  'migrations',
);

/** One approval of a Stone's stage, as stored. */
export interface ApprovalRecord {
  cluster: string;
  namespace: string;
  stone: string;
  stoneUid: string;
  stage: string;
  revision: string;
  approvedBy: string;
  approvedAt: Date;
  comment?: string;
  forced: boolean;
}

/** The approval history of Stones. */
export interface ApprovalStore {
  add(approval: ApprovalRecord): Promise<void>;
  /** The approvals of one Stone (by uid), oldest first. */
  listForStone(stoneUid: string): Promise<ApprovalRecord[]>;
}

type Row = Record<string, any>;

function fromRow(row: Row): ApprovalRecord {
  return {
    cluster: row.cluster,
    namespace: row.namespace,
    stone: row.stone,
    stoneUid: row.stone_uid,
    stage: row.stage,
    revision: row.revision,
    approvedBy: row.approved_by,
    // SQLite hands back the stored number or text; PostgreSQL a Date.
    approvedAt: new Date(row.approved_at),
    ...(row.comment ? { comment: row.comment } : {}),
    // SQLite stores booleans as 0/1.
    forced: Boolean(row.forced),
  };
}

/** {@link ApprovalStore} in the plugin's database (table `stone_approvals`). */
export class DatabaseApprovalStore implements ApprovalStore {
  static async create(
    database: DatabaseService,
  ): Promise<DatabaseApprovalStore> {
    const knex = await database.getClient();
    if (!database.migrations?.skip) {
      await knex.migrate.latest({ directory: migrationsDir });
    }
    return new DatabaseApprovalStore(knex);
  }

  constructor(private readonly db: Knex) {}

  async add(approval: ApprovalRecord): Promise<void> {
    await this.db('stone_approvals').insert({
      cluster: approval.cluster,
      namespace: approval.namespace,
      stone: approval.stone,
      stone_uid: approval.stoneUid,
      stage: approval.stage,
      revision: approval.revision,
      approved_by: approval.approvedBy,
      approved_at: approval.approvedAt,
      comment: approval.comment ?? null,
      forced: approval.forced,
    });
  }

  async listForStone(stoneUid: string): Promise<ApprovalRecord[]> {
    const rows = await this.db('stone_approvals')
      .where({ stone_uid: stoneUid })
      .orderBy([
        { column: 'approved_at', order: 'asc' },
        { column: 'id', order: 'asc' },
      ]);
    return rows.map(fromRow);
  }
}
