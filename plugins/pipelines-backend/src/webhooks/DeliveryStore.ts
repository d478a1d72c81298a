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

  constructor(private readonly db: Knex) {}

  /**
   * Stores a new delivery, unprocessed. A delivery whose id is already
   * stored is counted as a duplicate instead: `false`.
   */
  async insert(delivery: {
    id: string;
    provider: GitProvider;
    deliveryId: string;
    event?: string;
    receivedAt: Date;
    signatureOk: boolean;
    headers: Record<string, string>;
    payload: string;
    redeliveryOf?: string;
  }): Promise<boolean> {
    const inserted = await this.db(TABLE)
      .insert({
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
      })
      .onConflict('id')
      .ignore()
      .returning('id');
    if (inserted.length > 0) return true;
    await this.db(TABLE).where({ id: delivery.id }).increment('duplicates', 1);
    return false;
  }

  async finish(id: string, result: DeliveryResult): Promise<void> {
    await this.db(TABLE)
      .where({ id })
      .update({
        outcome: result.outcome,
        reason: result.reason ?? null,
        ...(result.event ? { event: result.event } : {}),
        repository: result.repository ?? null,
        ref: result.ref ?? null,
        runs: result.runs ? JSON.stringify(result.runs) : null,
        matches: result.matches ? JSON.stringify(result.matches) : null,
        processed: true,
        processed_at: new Date(),
      });
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
