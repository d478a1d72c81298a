import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseLogStore, LogStore, StepArchive } from './LogStore';

jest.setTimeout(60_000);

const run = {
  runUid: 'uid-1',
  cluster: 'dev',
  namespace: 'ci',
  name: 'build-1',
  labels: { 'backstage.io/kubernetes-id': 'shop' },
  archivedAt: new Date('2026-01-01T00:00:00Z'),
};
const key = {
  runUid: 'uid-1',
  taskRun: 'build-1-compile',
  attempt: 0,
  step: 'say',
};
const where = { container: 'step-say', pod: 'build-1-compile-pod' };

async function readAll(store: LogStore, step: StepArchive): Promise<string> {
  const chunks = await store.readChunks(
    step.id,
    0,
    Number.MAX_SAFE_INTEGER,
    1000,
  );
  return Buffer.concat(chunks.map(c => c.content)).toString();
}

/** Chunks (or pieces of them) that follow one another from `offset`. */
function expectContiguous(
  chunks: Array<{ offset: number; content: Buffer }>,
  offset: number,
) {
  let next = offset;
  for (const chunk of chunks) {
    expect(chunk.offset).toBe(next);
    next += chunk.content.length;
  }
}

describe('DatabaseLogStore', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  async function createStore(databaseId: any) {
    const knex = await databases.init(databaseId);
    const database: DatabaseService = mockServices.database({ knex });
    return { knex, store: await DatabaseLogStore.create(database) };
  }

  it.each(databases.eachSupportedId())(
    'moves the logs of the earlier archive into chunks on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const directory = resolvePackagePath(
        '@cairn/plugin-pipelines-backend',
        'migrations',
      );
      await knex.migrate.up({
        directory,
        name: '20261125000000_log_archive.js',
      });
      await knex('archived_runs').insert({
        run_uid: 'old',
        cluster: 'dev',
        namespace: 'ci',
        name: 'old-run',
        labels: '{}',
        archived_at: new Date('2026-01-01T00:00:00Z'),
      });
      await knex('step_logs').insert({
        run_uid: 'old',
        task_run: 'old-run-a',
        step: 'say',
        container: 'step-say',
        content: 'héllo\n',
      });
      // A log longer than a chunk: a read deep into it finds its bytes.
      const long = `${'x'.repeat(300 * 1024)}deep\n`;
      await knex('step_logs').insert({
        run_uid: 'old',
        task_run: 'old-run-a',
        step: 'long',
        container: 'step-long',
        content: long,
      });
      const store = await DatabaseLogStore.create(
        mockServices.database({ knex }),
      );
      const step = await store.latestAttempt('old', 'old-run-a', 'say');
      expect(step).toMatchObject({ state: 'complete', written: 7, attempt: 0 });
      expect(await readAll(store, step!)).toBe('héllo\n');
      const longStep = await store.latestAttempt('old', 'old-run-a', 'long');
      expect(await readAll(store, longStep!)).toBe(long);
      const deep = await store.readChunks(
        longStep!.id,
        300 * 1024,
        Number.MAX_SAFE_INTEGER,
        10,
      );
      expect(
        Buffer.concat(deep.map(c => c.content))
          .subarray(300 * 1024 - deep[0].offset)
          .toString(),
      ).toBe('deep\n');
      // Undo this migration alone (later ones, e.g. webhook deliveries,
      // do not touch these tables).
      await knex.migrate.down({
        directory,
        name: '20261207000000_live_log_archive.js',
      });
      expect(await knex('step_logs').select('content').orderBy('step')).toEqual(
        [{ content: long }, { content: 'héllo\n' }],
      );
    },
  );

  it.each(databases.eachSupportedId())(
    'appends only for the replica holding the step, at the offset it expects, on %p',
    async databaseId => {
      const { store } = await createStore(databaseId);
      await store.saveRun(run);
      await store.saveRun({ ...run, name: 'ignored' });
      expect((await store.findRun('dev', 'ci', 'build-1'))?.runUid).toBe(
        'uid-1',
      );
      const opened = await store.openStep(key, where);
      expect(opened).toMatchObject({
        state: 'open',
        written: 0,
        holder: undefined,
      });
      // Opening again finds the same step.
      expect((await store.openStep(key, where)).id).toBe(opened.id);

      expect(await store.acquire(opened.id, 'a', 10_000, 1_000)).toMatchObject({
        holder: 'a',
      });
      // b cannot take it while a's lease runs.
      expect(
        await store.acquire(opened.id, 'b', 10_000, 5_000),
      ).toBeUndefined();
      const resume = { time: '2026-01-01T00:00:01Z', lines: 1 };
      expect(
        await store.append(
          'a',
          [
            {
              stepId: opened.id,
              written: 0,
              data: Buffer.from('one\n'),
              resume,
            },
          ],
          20_000,
        ),
      ).toEqual(new Set());
      // A stale offset (a duplicate) and a replica without the lease are refused.
      expect(
        await store.append(
          'a',
          [
            {
              stepId: opened.id,
              written: 0,
              data: Buffer.from('one\n'),
              resume,
            },
          ],
          20_000,
        ),
      ).toEqual(new Set([opened.id]));
      expect(
        await store.append(
          'b',
          [{ stepId: opened.id, written: 4, data: Buffer.from('two\n') }],
          20_000,
        ),
      ).toEqual(new Set([opened.id]));
      expect(await store.leaseStates([opened.id])).toEqual([
        { id: opened.id, state: 'open', holder: 'a', leaseExpiresAt: 20_000 },
      ]);

      // a's lease expires: b takes over where a stopped.
      const taken = await store.acquire(opened.id, 'b', 40_000, 30_000);
      expect(taken).toMatchObject({ holder: 'b', written: 4, resume });
      expect(
        await store.append(
          'a',
          [{ stepId: opened.id, written: 4, data: Buffer.from('late\n') }],
          50_000,
        ),
      ).toEqual(new Set([opened.id]));
      await store.append(
        'b',
        [{ stepId: opened.id, written: 4, data: Buffer.from('two\n') }],
        50_000,
      );
      expect(await store.finish(opened.id, 'a', 'complete')).toBe(false);
      expect(await store.finish(opened.id, 'b', 'complete')).toBe(true);
      const done = (await store.getStep(key))!;
      expect(done).toMatchObject({
        state: 'complete',
        written: 8,
        holder: undefined,
      });
      expect(await readAll(store, done)).toBe('one\ntwo\n');
      // Nobody takes a finished step.
      expect(
        await store.acquire(opened.id, 'c', 90_000, 80_000),
      ).toBeUndefined();
    },
  );

  it.each(databases.eachSupportedId())(
    'keeps head and tail of a capped step and reads chunks by range, on %p',
    async databaseId => {
      const { store } = await createStore(databaseId);
      await store.saveRun(run);
      const step = await store.openStep(key, { ...where, maxBytes: 1000 });
      await store.acquire(step.id, 'a', 10_000, 0);
      let written = 0;
      let all = '';
      for (let i = 0; i < 30; i++) {
        const data = `${String(i).padStart(2, '0')}${'.'.repeat(97)}\n`;
        await store.append(
          'a',
          [{ stepId: step.id, written, data: Buffer.from(data) }],
          10_000,
        );
        written += data.length;
        all += data;
      }
      const head = await store.readChunks(step.id, 0, 500, 100);
      expect(Buffer.concat(head.map(c => c.content)).toString()).toBe(
        all.slice(0, 500),
      );
      const tail = await store.readChunks(step.id, 2500, 3000, 100);
      const tailText = Buffer.concat(tail.map(c => c.content)).toString();
      expect(tailText.endsWith(all.slice(2500))).toBe(true);
      // Everything between head and tail was deleted.
      expect(await store.readChunks(step.id, 500, 2400, 100)).toEqual([]);
      // A range inside a chunk finds that chunk.
      const inside = await store.readChunks(step.id, 120, 130, 1);
      expect(inside[0].offset).toBeLessThanOrEqual(120);
      expect(inside[0].offset + inside[0].content.length).toBeGreaterThan(120);
    },
  );

  it.each(databases.eachSupportedId())(
    'expires old runs but remembers that it did, on %p',
    async databaseId => {
      const { store } = await createStore(databaseId);
      await store.saveRun(run);
      const step = await store.openStep(key, where);
      await store.acquire(step.id, 'a', 10_000, 0);
      await store.append(
        'a',
        [{ stepId: step.id, written: 0, data: Buffer.from('x') }],
        10_000,
      );
      await store.saveRun({
        ...run,
        runUid: 'uid-2',
        name: 'build-2',
        archivedAt: new Date('2026-02-01T00:00:00Z'),
      });
      const now = new Date('2026-02-02T00:00:00Z');
      expect(
        await store.expireBefore(new Date('2026-01-15T00:00:00Z'), now),
      ).toBe(1);
      expect(await store.getStep(key)).toBeUndefined();
      expect(await store.readChunks(step.id, 0, 10, 10)).toEqual([]);
      expect(await store.findRun('dev', 'ci', 'build-1')).toMatchObject({
        logsExpiredAt: now,
      });
      expect(
        (await store.findRun('dev', 'ci', 'build-2'))?.logsExpiredAt,
      ).toBeUndefined();
      // A year later the run is forgotten.
      await store.expireBefore(
        new Date('2026-01-15T00:00:00Z'),
        new Date('2027-03-01T00:00:00Z'),
      );
      expect(await store.findRun('dev', 'ci', 'build-1')).toBeUndefined();
    },
  );

  it.each(databases.eachSupportedId())(
    'stores any bytes a step writes, not only UTF-8, on %p',
    async databaseId => {
      const { store } = await createStore(databaseId);
      await store.saveRun(run);
      const step = await store.openStep(key, where);
      await store.acquire(step.id, 'a', 10_000, 0);
      const bytes = Buffer.from(
        Array.from({ length: 600_000 }, (_, i) => (i * 7) % 256),
      );
      await store.append(
        'a',
        [{ stepId: step.id, written: 0, data: bytes }],
        10_000,
      );
      const chunks = await store.readChunks(step.id, 0, bytes.length, 100);
      expectContiguous(chunks, 0);
      expect(Buffer.concat(chunks.map(c => c.content)).equals(bytes)).toBe(
        true,
      );
    },
  );

  it.each(databases.eachSupportedId())(
    'reads back multi-byte UTF-8 cut at chunk boundaries byte for byte, whole and from inside a chunk, on %p',
    async databaseId => {
      const { store } = await createStore(databaseId);
      await store.saveRun(run);
      const step = await store.openStep(key, where);
      await store.acquire(step.id, 'a', 10_000, 0);
      // 15 bytes a line: 262,144 = 15 × 17,476 + 4, so the first chunk ends
      // inside the "é" of a line, and later ones elsewhere in characters.
      const line = 'ab é€😀 x\n';
      expect(Buffer.byteLength(line)).toBe(15);
      const text = line.repeat(60_000);
      const bytes = Buffer.from(text);
      // Appended in pieces as the archiver does, one cut inside "😀".
      let written = 0;
      for (const cut of [262_150, 700_007, bytes.length]) {
        await store.append(
          'a',
          [{ stepId: step.id, written, data: bytes.subarray(written, cut) }],
          10_000,
        );
        written = cut;
      }
      const whole = await store.readChunks(step.id, 0, bytes.length, 100);
      expectContiguous(whole, 0);
      const read = Buffer.concat(whole.map(c => c.content));
      expect(read.equals(bytes)).toBe(true);
      expect(read.toString('utf8')).toBe(text);
      // Chunks are cut per append: [0, 262144), [262144, 262150),
      // [262150, 524294), [524294, 700007), … A read from inside one starts
      // with the chunk holding it.
      const inside = await store.readChunks(step.id, 300_000, bytes.length, 2);
      expectContiguous(inside, 262_150);
      const insideBytes = Buffer.concat(inside.map(c => c.content));
      expect(insideBytes.equals(bytes.subarray(262_150, 700_007))).toBe(true);
    },
  );
});
