import { TestDatabases, TestDatabaseId } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { NewRecording, RecordingStore } from './RecordingStore';

const recording = (pod: string): NewRecording => ({
  kind: 'attach',
  userEntityRef: 'user:default/alice',
  entityRef: 'component:default/storefront-web',
  cluster: 'dev',
  namespace: 'storefront',
  pod,
  container: 'debugger-x1',
  toolkit: 'netshoot',
  sessionName: `${pod}-session`,
  width: 120,
  height: 40,
});

describe.each(
  TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] }).eachSupportedId(),
)('RecordingStore on %s', (databaseId: TestDatabaseId) => {
  const databases = TestDatabases.create({ ids: [databaseId] });
  let knex: Knex;
  let store: RecordingStore;

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    store = await RecordingStore.create({
      getClient: async () => knex,
      migrations: { skip: false },
    });
  });

  it('replays what was recorded as asciicast v2, in order, byte for byte', async () => {
    const startedAt = new Date('2026-12-07T10:00:00.000Z');
    const id = await store.start(recording('web-1'), startedAt);
    // Appended out of order, as two flushes may land.
    await store.append(id, 2, [[0.5, 'o', 'héllo ✓\r\n\u001b[0m']]);
    await store.append(id, 0, [
      [0.1, 'i', 'echo "héllo ✓"\n'],
      [0.2, 'r', '132x43'],
    ]);
    await store.finish(id, {
      endedAt: new Date('2026-12-07T10:01:00.000Z'),
      bytesIn: 16,
      bytesOut: 14,
      truncated: true,
    });

    const [header, ...events] = (await store.asciicast(id))!
      .trim()
      .split('\n')
      .map(line => JSON.parse(line));
    expect(header).toEqual({
      version: 2,
      width: 120,
      height: 40,
      timestamp: startedAt.getTime() / 1000,
      title: 'user:default/alice on dev/storefront/web-1/debugger-x1',
    });
    expect(events).toEqual([
      [0.1, 'i', 'echo "héllo ✓"\n'],
      [0.2, 'r', '132x43'],
      [0.5, 'o', 'héllo ✓\r\n\u001b[0m'],
    ]);
    expect(
      await store.list({ entityRef: 'component:default/storefront-web' }),
    ).toContainEqual(
      expect.objectContaining({
        id,
        toolkit: 'netshoot',
        sessionName: 'web-1-session',
        startedAt: '2026-12-07T10:00:00.000Z',
        endedAt: '2026-12-07T10:01:00.000Z',
        bytesIn: 16,
        bytesOut: 14,
        truncated: true,
      }),
    );
    expect(await store.asciicast(id + 1000)).toBeUndefined();
  });

  it('deletes recordings past retention with their events, and keeps the rest', async () => {
    const old = await store.start(
      recording('old'),
      new Date('2026-01-01T00:00:00.000Z'),
    );
    await store.append(old, 0, [[0, 'o', 'old output']]);
    const recent = await store.start(
      recording('recent'),
      new Date('2026-12-01T00:00:00.000Z'),
    );
    await store.append(recent, 0, [[0, 'o', 'recent output']]);

    expect(
      await store.deleteStartedBefore(new Date('2026-06-01T00:00:00.000Z')),
    ).toBe(1);
    expect(await store.asciicast(old)).toBeUndefined();
    expect(
      await knex('terminal_recording_events').where({ recording_id: old }),
    ).toEqual([]);
    expect(await store.asciicast(recent)).toContain('recent output');
  });
});
