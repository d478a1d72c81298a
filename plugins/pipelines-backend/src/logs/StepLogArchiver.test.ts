import { ClusterAccess, ClusterWatches } from '@cairn/plugin-kubernetes-node';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import { CoreV1Api } from '@kubernetes/client-node';
import { isFinished, PipelineRun } from '@cairn/plugin-pipelines-common';
import { TektonWatches } from '../watch';
import { waitFor } from '@cairn/plugin-kubernetes-node/testUtils';
import {
  startTektonTestCluster,
  TektonTestCluster,
} from '../__testUtils__/tektonCluster';
import { ArchiverReplicaSettings } from '../__testUtils__/archiverReplica';
import { DatabaseLogStore, LogStore, StepArchive } from './LogStore';
import { StepLogArchiver } from './StepLogArchiver';

/*
 * The archiver against a dev cluster with Tekton: logs are archived while
 * the steps run, so cancelled and timed-out runs (whose pods Tekton
 * deletes) and every retry keep theirs; a restart resumes each log where it
 * stopped; and two replicas on one PostgreSQL archive each log once.
 */

jest.setTimeout(300_000);

const runs = { group: 'tekton.dev', version: 'v1', plural: 'pipelineruns' };

/** A step printing `count` numbered lines, one every `everyS` seconds. */
const counting = (count: number, everyS: number) =>
  `#!/bin/sh\ni=1\nwhile [ $i -le ${count} ]; do echo "line $i"; i=$((i+1)); sleep ${everyS}; done\n`;

const expectedLines = (count: number, from = 1) =>
  Array.from({ length: count - from + 1 }, (_, i) => `line ${from + i}\n`).join(
    '',
  );

function pipelineRun(name: string, spec: object, runSpec: object = {}) {
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'PipelineRun',
    metadata: { name, namespace: 'ci' },
    spec: { pipelineSpec: spec, ...runSpec },
  };
}

const oneStep = (script: string, taskExtra: object = {}) => ({
  tasks: [
    {
      name: 'work',
      ...taskExtra,
      taskSpec: { steps: [{ name: 'say', image: 'alpine', script }] },
    },
  ],
});

describe('StepLogArchiver', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
  let tc: TektonTestCluster;
  const logger = mockServices.logger.mock();
  const started: Array<{ stop(): Promise<void> }> = [];

  beforeAll(async () => {
    tc = await startTektonTestCluster();
  });

  afterAll(async () => {
    for (const s of started.reverse()) await s.stop();
    await tc?.stop();
  });

  /** An archiver with its own watches, as one backend replica has. */
  function startReplica(store: LogStore, replica: string) {
    const clusters = ClusterAccess.fromConfig(
      new ConfigReader({ kubernetes: tc.kubernetesConfig }),
    );
    const shared = new ClusterWatches({ clusters, logger });
    const watches = new TektonWatches({ watches: shared });
    const archiver = new StepLogArchiver({
      clusters,
      watches,
      store,
      logger,
      replica,
      leaseMs: 2000,
      flushMs: 100,
    });
    archiver.start();
    watches.start();
    let stopped: Promise<void> | undefined;
    const replicaHandle = {
      archiver,
      stop() {
        stopped ??= (async () => {
          await archiver.stop();
          await shared.stop();
        })();
        return stopped;
      },
    };
    started.push(replicaHandle);
    return replicaHandle;
  }

  const create = (body: object) =>
    tc.custom.createNamespacedCustomObject({ ...runs, namespace: 'ci', body });
  const getRun = async (name: string) =>
    (await tc.custom.getNamespacedCustomObject({
      ...runs,
      namespace: 'ci',
      name,
    })) as PipelineRun;
  const finished = (name: string) =>
    waitFor(() => getRun(name), isFinished, `run ${name} to finish`, 120_000);

  async function logOf(
    store: LogStore,
    run: PipelineRun,
    attempt = 0,
  ): Promise<{ step: StepArchive; text: string }> {
    const step = await waitFor(
      () =>
        store.getStep({
          runUid: run.metadata.uid!,
          taskRun: `${run.metadata.name}-work`,
          attempt,
          step: 'say',
        }),
      s => s?.state === 'complete' || s?.state === 'gone',
      `the log of ${run.metadata.name} (attempt ${attempt}) to be archived`,
      60_000,
    );
    const chunks = await store.readChunks(step!.id, 0, step!.written, 10_000);
    return {
      step: step!,
      text: Buffer.concat(chunks.map(c => c.content)).toString(),
    };
  }

  it('keeps the logs of cancelled, timed-out, retried and earlier-finished runs, and resumes after a restart without gap or duplicate', async () => {
    const knex = await databases.init('SQLITE_3');
    const store = await DatabaseLogStore.create(
      mockServices.database({ knex }),
    );

    // Finished before any archiver ran: read once the watch lists it.
    await create(pipelineRun('before', oneStep('#!/bin/sh\necho early\n')));
    await finished('before');

    // Finished and its pod deleted before any archiver ran: gone, and why.
    await create(pipelineRun('pruned', oneStep('#!/bin/sh\necho lost\n')));
    await finished('pruned');
    await tc.admin.makeApiClient(CoreV1Api).deleteCollectionNamespacedPod({
      namespace: 'ci',
      labelSelector: 'tekton.dev/pipelineRun=pruned',
    });

    let replica = startReplica(store, 'first');
    expect((await logOf(store, await getRun('before'))).text).toBe('early\n');
    expect((await logOf(store, await getRun('pruned'))).step).toMatchObject({
      state: 'gone',
      note: 'pod "pruned-work-pod" was deleted before archiving began',
    });

    await create(pipelineRun('cancelled', oneStep(counting(1000, 0.05))));
    await create(
      pipelineRun('timed-out', oneStep(counting(1000, 0.05)), {
        timeouts: { pipeline: '4s' },
      }),
    );
    await create(
      pipelineRun(
        'retried',
        oneStep(
          '#!/bin/sh\necho "attempt $(context.task.retry-count)"\nexit 1\n',
          {
            retries: 1,
          },
        ),
      ),
    );
    await create(pipelineRun('restarted', oneStep(counting(60, 0.05))));

    // The followed log of the run being cancelled has grown.
    const cancelled = await waitFor(
      () => getRun('cancelled'),
      r => Boolean(r.metadata.uid),
      'uid',
    );
    await waitFor(
      () =>
        store.getStep({
          runUid: cancelled.metadata.uid!,
          taskRun: 'cancelled-work',
          attempt: 0,
          step: 'say',
        }),
      s => (s?.written ?? 0) > 30,
      'the cancelled run to have logged',
    );
    await tc.custom.patchNamespacedCustomObject({
      ...runs,
      namespace: 'ci',
      name: 'cancelled',
      body: [{ op: 'add', path: '/spec/status', value: 'Cancelled' }],
    });

    const timedOut = await getRun('timed-out');
    await waitFor(
      () =>
        store.getStep({
          runUid: timedOut.metadata.uid!,
          taskRun: 'timed-out-work',
          attempt: 0,
          step: 'say',
        }),
      s => (s?.written ?? 0) > 0,
      'the run to time out to have logged',
    );

    // A restart while "restarted" runs.
    const restarted = await waitFor(
      () => getRun('restarted'),
      r => Boolean(r.metadata.uid),
      'uid',
    );
    await waitFor(
      () =>
        store.getStep({
          runUid: restarted.metadata.uid!,
          taskRun: 'restarted-work',
          attempt: 0,
          step: 'say',
        }),
      s => (s?.written ?? 0) > 20,
      'the run to have logged before the restart',
    );
    await replica.stop();
    replica = startReplica(store, 'second');

    for (const name of ['cancelled', 'timed-out', 'retried', 'restarted']) {
      await finished(name);
    }
    // Tekton deleted the pods of the cancelled and the timed-out run; their
    // logs are whole up to where the step was stopped.
    for (const name of ['cancelled', 'timed-out']) {
      const { step, text } = await logOf(store, await getRun(name));
      expect(step.state).toBe('complete');
      const count = text.split('\n').length - 1;
      expect(count).toBeGreaterThan(0);
      expect(text).toBe(expectedLines(count));
    }
    const retried = await getRun('retried');
    expect((await logOf(store, retried, 0)).text).toBe('attempt 0\n');
    expect((await logOf(store, retried, 1)).text).toBe('attempt 1\n');
    expect((await logOf(store, await getRun('restarted'))).text).toBe(
      expectedLines(60),
    );
    expect(logger.warn).not.toHaveBeenCalled();
    await replica.stop();
  });

  it('archives each log once with two replicas on one PostgreSQL, one of them stopping mid-run', async () => {
    const knex = await databases.init('POSTGRES_15');
    const store = await DatabaseLogStore.create(
      mockServices.database({ knex }),
    );
    const a = startReplica(store, 'replica-a');
    const b = startReplica(store, 'replica-b');
    const names = ['pair-1', 'pair-2', 'pair-3', 'pair-4'];
    for (const name of names) {
      await create(pipelineRun(name, oneStep(counting(80, 0.05))));
    }
    await waitFor(
      () => Promise.resolve(a.archiver.following + b.archiver.following),
      n => n === names.length,
      'every step to be followed',
    );
    // Each step is followed by one replica only.
    expect(a.archiver.following + b.archiver.following).toBe(names.length);
    const stopping = a.archiver.following > 0 ? a : b;
    await stopping.stop();
    for (const name of names) await finished(name);
    for (const name of names) {
      const { step, text } = await logOf(store, await getRun(name));
      expect(step.state).toBe('complete');
      expect(text).toBe(expectedLines(80));
    }
    await Promise.all([a.stop(), b.stop()]);
  });

  it('takes over the logs of a replica that was killed once its lease expires, each log complete once', async () => {
    const knex = await databases.init('POSTGRES_15');
    const store = await DatabaseLogStore.create(
      mockServices.database({ knex }),
    );
    const settings: ArchiverReplicaSettings = {
      kubernetes: tc.kubernetesConfig,
      connection: knex.client.config.connection,
      replica: 'killed',
      leaseMs: 2000,
    };
    const child = spawn(
      process.execPath,
      [
        '--require',
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
        path.join(__dirname, '../__testUtils__/archiverReplica.ts'),
      ],
      {
        env: {
          ...process.env,
          CAIRN_ARCHIVER_REPLICA: JSON.stringify(settings),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    started.push({ stop: async () => void child.kill('SIGKILL') });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve();
      });
      child.once('exit', code => reject(new Error(`replica exited ${code}`)));
    });
    const names = ['crash-1', 'crash-2', 'crash-3'];
    for (const name of names) {
      await create(pipelineRun(name, oneStep(counting(100, 0.05))));
    }
    // The replica follows every step, and has archived some of each.
    await waitFor(
      () =>
        knex('log_steps')
          .where({ holder: 'killed', state: 'open' })
          .andWhere('written', '>', 0)
          .count({ n: '*' }),
      rows => Number(rows[0].n) === names.length,
      'the replica to follow every step',
    );
    const survivor = startReplica(store, 'survivor');
    child.kill('SIGKILL');
    for (const name of names) await finished(name);
    for (const name of names) {
      const { step, text } = await logOf(store, await getRun(name));
      expect(step.state).toBe('complete');
      expect(text).toBe(expectedLines(100));
    }
    await survivor.stop();
  });

  it('follows a step again when archiving it failed midway (the database refused the end), instead of holding it unfollowed', async () => {
    const knex = await databases.init('SQLITE_3');
    const store = await DatabaseLogStore.create(
      mockServices.database({ knex }),
    );
    let refusals = 0;
    const failingOnce: LogStore = Object.create(store, {
      finish: {
        value: async (...args: Parameters<LogStore['finish']>) => {
          if (refusals === 0) {
            refusals += 1;
            throw new Error('the database is not answering');
          }
          return store.finish(...args);
        },
      },
    });
    const replica = startReplica(failingOnce, 'flaky-db');
    await create(pipelineRun('flaky', oneStep(counting(20, 0.05))));
    await finished('flaky');
    const { step, text } = await logOf(store, await getRun('flaky'));
    expect(refusals).toBe(1);
    expect(step.state).toBe('complete');
    expect(text).toBe(expectedLines(20));
    await replica.stop();
  });
});
