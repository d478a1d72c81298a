/*
 * Test support: one log archiver as a process of its own, so a test can kill
 * it (SIGKILL, no shutdown) as a crashed backend replica dies.
 *
 *   node --require <nodeTransform.cjs> archiverReplica.ts
 *
 * Settings come as JSON in CAIRN_ARCHIVER_REPLICA: the `kubernetes:` config,
 * the PostgreSQL connection, the replica name and lease. Prints "ready" once
 * it follows the watches.
 */
import { ClusterAccess, ClusterWatches } from '@cairn/plugin-kubernetes-node';
import { ConfigReader } from '@backstage/config';
import knexFactory from 'knex';
import { DatabaseLogStore } from '../logs/LogStore';
import { StepLogArchiver } from '../logs/StepLogArchiver';
import { TektonWatches } from '../watch';

export interface ArchiverReplicaSettings {
  kubernetes: object;
  connection: object;
  replica: string;
  leaseMs: number;
}

async function main() {
  const settings = JSON.parse(
    process.env.CAIRN_ARCHIVER_REPLICA ?? '',
  ) as ArchiverReplicaSettings;
  const knex = knexFactory({ client: 'pg', connection: settings.connection });
  const store = new DatabaseLogStore(knex);
  const clusters = ClusterAccess.fromConfig(
    new ConfigReader({ kubernetes: settings.kubernetes }),
  );
  const logger = {
    warn: (message: string) => process.stderr.write(`${message}\n`),
  } as any;
  const watches = new TektonWatches({
    watches: new ClusterWatches({ clusters, logger }),
  });
  const archiver = new StepLogArchiver({
    clusters,
    watches,
    store,
    logger,
    replica: settings.replica,
    leaseMs: settings.leaseMs,
    flushMs: 100,
  });
  archiver.start();
  watches.start();
  process.stdout.write('ready\n');
}

if (require.main === module) {
  main().catch(error => {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exit(1);
  });
}
