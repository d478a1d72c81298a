import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { TerminalRecordingSummary } from '@cairn/plugin-debug-terminal-common';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@cairn/plugin-debug-terminal-backend',
  'migrations',
);

/** What a recording starts with. */
export interface NewRecording {
  kind: 'attach' | 'shell';
  userEntityRef: string;
  entityRef: string;
  cluster: string;
  namespace: string;
  pod: string;
  container: string;
  toolkit?: string;
  sessionName?: string;
  width: number;
  height: number;
}

/** One asciicast v2 event: seconds since the start, `o`/`i`/`r`, data. */
export type RecordingEvent = [number, 'o' | 'i' | 'r', string];

interface RecordingRow {
  id: number | string;
  kind: 'attach' | 'shell';
  user_entity_ref: string;
  entity_ref: string;
  cluster: string;
  namespace: string;
  pod: string;
  container: string;
  toolkit: string | null;
  session_name: string | null;
  width: number;
  height: number;
  started_at: Date | string;
  ended_at: Date | string | null;
  bytes_in: number | string;
  bytes_out: number | string;
  truncated: boolean | number;
}

const iso = (value: Date | string) => new Date(value).toISOString();

function toSummary(row: RecordingRow): TerminalRecordingSummary {
  return {
    id: Number(row.id),
    kind: row.kind,
    userEntityRef: row.user_entity_ref,
    entityRef: row.entity_ref,
    cluster: row.cluster,
    namespace: row.namespace,
    pod: row.pod,
    container: row.container,
    ...(row.toolkit ? { toolkit: row.toolkit } : {}),
    ...(row.session_name ? { sessionName: row.session_name } : {}),
    startedAt: iso(row.started_at),
    ...(row.ended_at ? { endedAt: iso(row.ended_at) } : {}),
    bytesIn: Number(row.bytes_in),
    bytesOut: Number(row.bytes_out),
    truncated: Boolean(row.truncated),
  };
}

/** Terminal recordings (asciicast v2 events) in the plugin's database. */
export class RecordingStore {
  static async create(database: DatabaseService): Promise<RecordingStore> {
    const knex = await database.getClient();
    if (!database.migrations?.skip) {
      await knex.migrate.latest({ directory: migrationsDir });
    }
    return new RecordingStore(knex);
  }

  constructor(private readonly knex: Knex) {}

  async start(recording: NewRecording, startedAt: Date): Promise<number> {
    const [row] = await this.knex('terminal_recordings')
      .insert({
        kind: recording.kind,
        user_entity_ref: recording.userEntityRef,
        entity_ref: recording.entityRef,
        cluster: recording.cluster,
        namespace: recording.namespace,
        pod: recording.pod,
        container: recording.container,
        toolkit: recording.toolkit ?? null,
        session_name: recording.sessionName ?? null,
        width: recording.width,
        height: recording.height,
        started_at: startedAt,
      })
      .returning('id');
    return Number(typeof row === 'object' ? row.id : row);
  }

  /** Appends events numbered from `firstSeq`. */
  async append(
    id: number,
    firstSeq: number,
    events: RecordingEvent[],
  ): Promise<void> {
    if (events.length === 0) return;
    await this.knex.batchInsert(
      'terminal_recording_events',
      events.map(([time, type, data], index) => ({
        recording_id: id,
        seq: firstSeq + index,
        time,
        type,
        data,
      })),
      200,
    );
  }

  async finish(
    id: number,
    end: {
      endedAt: Date;
      bytesIn: number;
      bytesOut: number;
      truncated: boolean;
    },
  ): Promise<void> {
    await this.knex('terminal_recordings').where({ id }).update({
      ended_at: end.endedAt,
      bytes_in: end.bytesIn,
      bytes_out: end.bytesOut,
      truncated: end.truncated,
    });
  }

  async list(filter: {
    entityRef?: string;
  }): Promise<TerminalRecordingSummary[]> {
    const query = this.knex<RecordingRow>('terminal_recordings')
      .select('*')
      .orderBy('started_at', 'desc')
      .limit(500);
    if (filter.entityRef) query.where({ entity_ref: filter.entityRef });
    return (await query).map(toSummary);
  }

  /** The recording as an asciicast v2 file (header line, then one event per line); undefined if there is none. */
  async asciicast(id: number): Promise<string | undefined> {
    const row = await this.knex<RecordingRow>('terminal_recordings')
      .where({ id })
      .first();
    if (!row) return undefined;
    const events = await this.knex('terminal_recording_events')
      .where({ recording_id: id })
      .orderBy('seq')
      .select('time', 'type', 'data');
    const header = {
      version: 2,
      width: row.width,
      height: row.height,
      timestamp: Math.floor(new Date(row.started_at).getTime() / 1000),
      title: `${row.user_entity_ref} on ${row.cluster}/${row.namespace}/${row.pod}/${row.container}`,
    };
    const lines = [
      JSON.stringify(header),
      ...events.map(e => JSON.stringify([Number(e.time), e.type, e.data])),
    ];
    return `${lines.join('\n')}\n`;
  }

  /** Deletes recordings started before `before`; returns how many. */
  async deleteStartedBefore(before: Date): Promise<number> {
    // Events first: SQLite enforces the cascade only with foreign keys on.
    const old = this.knex('terminal_recordings')
      .where('started_at', '<', before)
      .select('id');
    await this.knex('terminal_recording_events')
      .whereIn('recording_id', old)
      .delete();
    return this.knex('terminal_recordings')
      .where('started_at', '<', before)
      .delete();
  }
}
