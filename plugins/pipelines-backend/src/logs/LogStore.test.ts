import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseLogStore } from './LogStore';

jest.setTimeout(60_000);

describe('DatabaseLogStore', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  it.each(databases.eachSupportedId())(
    'archives, finds and expires runs on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await DatabaseLogStore.create(
        mockServices.database({ knex }),
      );
      const run = {
        runUid: 'uid-1',
        cluster: 'dev',
        namespace: 'ci',
        name: 'build-1',
        labels: { 'backstage.io/kubernetes-id': 'shop' },
        archivedAt: new Date('2026-01-01T00:00:00Z'),
      };
      const big = 'x'.repeat(200_000);
      await store.archiveRun(run, [
        {
          taskRun: 'build-1-compile',
          step: 'say',
          container: 'step-say',
          content: 'hello\n',
        },
        {
          taskRun: 'build-1-compile',
          step: 'big',
          container: 'step-big',
          content: big,
        },
      ]);
      // A second archiver (another replica) changes nothing.
      await store.archiveRun(run, [
        {
          taskRun: 'build-1-compile',
          step: 'say',
          container: 'step-say',
          content: 'other',
        },
      ]);
      expect(await store.isArchived('uid-1')).toBe(true);
      expect(await store.isArchived('uid-2')).toBe(false);
      expect(await store.findRun('dev', 'ci', 'build-1')).toEqual(run);
      expect(
        (await store.getStepLog('uid-1', 'build-1-compile', 'say'))?.content,
      ).toBe('hello\n');
      expect(
        (await store.getStepLog('uid-1', 'build-1-compile', 'big'))?.content,
      ).toHaveLength(200_000);

      await store.archiveRun(
        {
          ...run,
          runUid: 'uid-2',
          name: 'build-2',
          archivedAt: new Date('2026-02-01T00:00:00Z'),
        },
        [],
      );
      expect(
        await store.deleteArchivedBefore(new Date('2026-01-15T00:00:00Z')),
      ).toBe(1);
      expect(await store.isArchived('uid-1')).toBe(false);
      expect(
        await store.getStepLog('uid-1', 'build-1-compile', 'say'),
      ).toBeUndefined();
      expect(await store.isArchived('uid-2')).toBe(true);
      expect(await store.archivedAmong(['uid-1', 'uid-2', 'uid-3'])).toEqual(
        new Set(['uid-2']),
      );
      expect(await store.archivedAmong([])).toEqual(new Set());
    },
  );
});
