import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import type {
  GitProvider,
  WebhookDeliveryMatch,
  WebhookDeliveryOutcome,
  WebhookDeliveryRun,
} from '@cairn/plugin-pipelines-common';
import { Knex } from 'knex';
import { GroupCommit } from './groupCommit';

const migrationsDir = resolvePackagePath(
  '@cairn/plugin-pipelines-backend',
  'migrations',
);

const TABLE = 'webhook_deliveries';

/** A delivery as stored. */
export interface StoredDelivery {
  id: string;
  provider: GitProvider;
  deliveryId: string;
  event?: string;
  repository?: string;
  ref?: string;
  receivedAt: Date;
  signatureOk: boolean;
  outcome: WebhookDeliveryOutcome;
  reason?: string;
  runs: WebhookDeliveryRun[];
  matches: WebhookDeliveryMatch[];
  headers: Record<string, string>;
  payload: string;
  processed: boolean;
  duplicates: number;
  redeliveryOf?: string;
}

/** What a delivery's processing concluded. */
export interface DeliveryResult {
  outcome: Exclude<WebhookDeliveryOutcome, 'pending'>;
  reason?: string;
  event?: string;
  repository?: string;
  ref?: string;
  runs?: WebhookDeliveryRun[];
  matches?: WebhookDeliveryMatch[];
}

/** A delivery to store, as received. */
export interface NewDelivery {
  id: string;
  provider: GitProvider;
  deliveryId: string;
  event?: string;
  receivedAt: Date;
  signatureOk: boolean;
  headers: Record<string, string>;
  payload: string;
  redeliveryOf?: string;
}

interface Finished {
  id: string;
  result: DeliveryResult;
  processedAt: Date;
}

/** Rows a write at most: 12 columns each stay far below SQLite's 32,766 parameters. */
const MAX_ROWS_A_WRITE = 100;

type Row = Record<string, any>;

const parseJson = <T>(text: string | null, fallback: T): T =>
  text ? (JSON.parse(text) as T) : fallback;

function fromRow(row: Row): StoredDelivery {
  return {
    id: row.id,
    provider: row.provider,
    deliveryId: row.delivery_id,
    event: row.event ?? undefined,
    repository: row.repository ?? undefined,
    ref: row.ref ?? undefined,
    receivedAt: new Date(row.received_at),
    signatureOk: Boolean(row.signature_ok),
    outcome: row.outcome,
    reason: row.reason ?? undefined,
    runs: parseJson(row.runs, []),
    matches: parseJson(row.matches, []),
    headers: parseJson(row.headers, {}),
    payload: row.payload,
    processed: Boolean(row.processed),
    duplicates: Number(row.duplicates),
    redeliveryOf: row.redelivery_of ?? undefined,
  };
}

/** The webhook delivery log in the plugin's database. */
export class DeliveryStore {
  static async create(database: DatabaseService): Promise<DeliveryStore> {
    const knex = await database.getClient();
    if (!database.migrations?.skip) {
      await knex.migrate.latest({ directory: migrationsDir });
    }
    return new DeliveryStore(knex);
  }

  private readonly inserts = new GroupCommit<NewDelivery, boolean>(
    deliveries => this.insertAll(deliveries),
    MAX_ROWS_A_WRITE,
  );
  private readonly finishes = new GroupCommit<Finished, void>(
    finished => this.finishAll(finished),
    MAX_ROWS_A_WRITE,
  );

  constructor(private readonly db: Knex) {}

  /**
   * Stores a new delivery, unprocessed. A delivery whose id is already
   * stored is counted as a duplicate instead: `false`. Resolves once the
   * delivery is committed; deliveries stored at the same time share one
   * insert (see GroupCommit).
   */
  insert(delivery: NewDelivery): Promise<boolean> {
    return this.inserts.submit(delivery);
  }

  /** Records what a delivery's processing concluded; shares a write as insert does. */
  finish(id: string, result: DeliveryResult): Promise<void> {
    return this.finishes.submit({ id, result, processedAt: new Date() });
  }

  private async insertAll(deliveries: NewDelivery[]): Promise<boolean[]> {
    // Within one write, the first of an id is the delivery, the others its
    // duplicates, as if they had come one after the other.
    const first = new Map<string, number>();
    deliveries.forEach((d, i) => {
      if (!first.has(d.id)) first.set(d.id, i);
    });
    const inserted = new Set(
      (
        await this.db(TABLE)
          .insert(
            [...first.values()].map(i => {
              const delivery = deliveries[i];
              return {
                id: delivery.id,
                provider: delivery.provider,
                delivery_id: delivery.deliveryId,
                event: delivery.event ?? null,
                received_at: delivery.receivedAt,
                signature_ok: delivery.signatureOk,
                outcome: 'pending',
                headers: JSON.stringify(delivery.headers),
                payload: delivery.payload,
                processed: false,
                duplicates: 0,
                redelivery_of: delivery.redeliveryOf ?? null,
              };
            }),
          )
          .onConflict('id')
          .ignore()
          .returning('id')
      ).map((row: { id: string }) => row.id),
    );
    const stored = deliveries.map(
      (d, i) => first.get(d.id) === i && inserted.has(d.id),
    );
    const again = new Map<string, number>();
    deliveries.forEach((d, i) => {
      if (!stored[i]) again.set(d.id, (again.get(d.id) ?? 0) + 1);
    });
    await Promise.all(
      [...again].map(([id, times]) =>
        this.db(TABLE).where({ id }).increment('duplicates', times),
      ),
    );
    return stored;
  }

  private async finishAll(finished: Finished[]): Promise<void[]> {
    const rows = finished.map(({ id, result, processedAt }) => ({
      id,
      outcome: result.outcome,
      reason: result.reason ?? null,
      event: result.event ?? null,
      repository: result.repository ?? null,
      ref: result.ref ?? null,
      runs: result.runs ? JSON.stringify(result.runs) : null,
      matches: result.matches ? JSON.stringify(result.matches) : null,
      processed_at: processedAt,
    }));
    if (this.db.client.config.client === 'pg' && rows.length > 1) {
      // One statement for all (PostgreSQL's UPDATE … FROM VALUES); an
      // event the result does not name keeps the one stored.
      const columns = Object.keys(rows[0]) as Array<keyof (typeof rows)[0]>;
      await this.db.raw(
        `update ?? as d set outcome = v.outcome, reason = v.reason,
           event = coalesce(v.event, d.event), repository = v.repository,
           ref = v.ref, runs = v.runs, matches = v.matches, processed = true,
           processed_at = v.processed_at::timestamp
         from (values ${rows
           .map(() => `(${columns.map(() => '?').join(', ')})`)
           .join(', ')}) as v(${columns.join(', ')})
         where d.id = v.id`,
        [TABLE, ...rows.flatMap(row => columns.map(c => row[c]))],
      );
    } else {
      await this.db.transaction(async tx => {
        for (const { id, event, ...row } of rows) {
          await tx(TABLE)
            .where({ id })
            .update({ ...row, ...(event ? { event } : {}), processed: true });
        }
      });
    }
    return finished.map(() => undefined);
  }

  async get(id: string): Promise<StoredDelivery | undefined> {
    const row = await this.db(TABLE).where({ id }).first();
    return row ? fromRow(row) : undefined;
  }

  /** Deliveries stored but not processed, oldest first. */
  async unprocessed(limit = 100): Promise<StoredDelivery[]> {
    const rows = await this.db(TABLE)
      .where({ processed: false })
      .orderBy('received_at', 'asc')
      .limit(limit);
    return rows.map(fromRow);
  }

  /**
   * The newest deliveries first; with `kubernetesId`, those that matched a
   * Pipeline labelled with it (matched or not: a delivery filtered out by a
   * branch filter is the entity's too).
   */
  async list(options: {
    limit: number;
    offset?: number;
    provider?: GitProvider;
    outcome?: WebhookDeliveryOutcome;
    kubernetesId?: string;
  }): Promise<StoredDelivery[]> {
    const query = this.db(TABLE)
      .orderBy('received_at', 'desc')
      .orderBy('id', 'asc')
      .limit(options.limit)
      .offset(options.offset ?? 0);
    if (options.provider) query.where({ provider: options.provider });
    if (options.outcome) query.where({ outcome: options.outcome });
    if (options.kubernetesId) {
      // `matches` is JSON text; a label value has no quote or backslash, and
      // LIKE's wildcards in it are escaped.
      const needle = JSON.stringify({ kubernetesId: options.kubernetesId })
        .slice(1, -1)
        .replace(/[\\%_]/g, c => `\\${c}`);
      query.whereRaw(`matches like ? escape '\\'`, [`%${needle}%`]);
    }
    return (await query).map(fromRow);
  }

  /** Deletes the processed deliveries received before `cutoff`. */
  async expireBefore(cutoff: Date): Promise<number> {
    return this.db(TABLE)
      .where('received_at', '<', cutoff)
      .andWhere({ processed: true })
      .delete();
  }
}
