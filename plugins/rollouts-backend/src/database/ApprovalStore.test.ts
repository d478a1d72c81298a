import { DatabaseService } from '@backstage/backend-plugin-api';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ApprovalRecord, DatabaseApprovalStore } from './ApprovalStore';

jest.setTimeout(60_000);

const beta: ApprovalRecord = {
  cluster: 'dev',
  namespace: 'shop',
  stone: 'web',
  stoneUid: 'uid-1',
  stage: 'Beta',
  revision: 'web-7d9c5',
  approvedBy: 'user:default/olga',
  approvedAt: new Date('2026-12-07T10:00:00Z'),
  comment: 'canary looks fine',
  forced: false,
};

describe('DatabaseApprovalStore', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  async function createStore(databaseId: any) {
    const knex = await databases.init(databaseId);
    const database: DatabaseService = mockServices.database({ knex });
    return DatabaseApprovalStore.create(database);
  }

  it.each(databases.eachSupportedId())(
    'keeps the approvals of a Stone, oldest first, on %p',
    async databaseId => {
      const store = await createStore(databaseId);
      const omega: ApprovalRecord = {
        ...beta,
        stage: 'Omega',
        approvedAt: new Date('2026-12-07T11:00:00Z'),
        comment: undefined,
        forced: true,
      };
      await store.add(omega);
      await store.add(beta);
      // Another Stone of the same name (deleted and created again).
      await store.add({ ...beta, stoneUid: 'uid-2' });

      const { comment: _, ...omegaWithoutComment } = omega;
      expect(await store.listForStone('uid-1')).toStrictEqual([
        beta,
        omegaWithoutComment,
      ]);
      expect(await store.listForStone('uid-3')).toEqual([]);
    },
  );
});
