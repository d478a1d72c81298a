import { randomUUID } from 'node:crypto';
import { jsonLogger } from '@cairn/controller-runtime';
import { startOperatorManager } from '../manager';
import { parseFlags, USAGE } from '../options';

/*
 * cairn-operators: runs every Cairn controller in one process. SIGTERM or
 * SIGINT stops it gracefully (reconciles under way finish, the Lease is
 * released) and exits 0; losing the Lease exits 1, so the kubelet restarts
 * the replica as a candidate again, as controller-runtime's managers do.
 */

async function main(): Promise<void> {
  const logger = jsonLogger();
  let flags;
  try {
    flags = parseFlags(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(
      `cairn-operators: ${(error as Error).message}\n\n${USAGE}`,
    );
    process.exit(2);
  }
  if (flags === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  // As the Deployment passes it: the pod's name names the candidate (on the
  // dev cluster every replica shares the host's name); the UUID keeps a
  // restarted process apart from its predecessor.
  const podName = process.env.POD_NAME;
  const manager = await startOperatorManager(flags, {
    logger,
    identity: podName ? `${podName}_${randomUUID()}` : undefined,
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    void manager.stop();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  logger.info('manager started', {
    metrics: manager.metricsUrl,
    probes: manager.probesUrl,
    leaderElection: flags.leaderElect,
  });
  try {
    await manager.wait();
    process.exit(0);
  } catch (error) {
    logger.error('manager stopped', error);
    process.exit(1);
  }
}

main().catch(error => {
  process.stderr.write(
    `cairn-operators: ${(error as Error)?.message ?? error}\n`,
  );
  process.exit(1);
});
