import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { isFinished, PipelineRun } from '@cairn/plugin-pipelines-common';
import { ClusterAccess } from '../clusters';
import { TektonWatches } from '../watch';
import {
  startTektonTestCluster,
  TektonTestCluster,
  waitFor,
} from '../__testUtils__/tektonCluster';
import { DatabaseLogStore } from './LogStore';
import { StepLogService } from './StepLogService';

/*
 * The log archiver against a dev cluster with Tekton: runs finished before it
 * started are archived by its start-up pass, later ones from the watch, each
 * with the step logs of its own TaskRuns only (found by namespace and name).
 */

jest.setTimeout(180_000);

const runs = { group: 'tekton.dev', version: 'v1', plural: 'pipelineruns' };

function echoRun(namespace: string, name: string, message: string) {
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'PipelineRun',
    metadata: { name, namespace },
    spec: {
      pipelineSpec: {
        tasks: ['first', 'second'].map(task => ({
          name: task,
          taskSpec: {
            steps: [
              {
                name: 'say',
                image: 'alpine',
                script: `#!/bin/sh\necho "${message} ${task}"\n`,
              },
            ],
          },
        })),
      },
    },
  };
}

describe('StepLogService archiving', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let tc: TektonTestCluster;
  let store: DatabaseLogStore;
  let watches: TektonWatches;
  let service: StepLogService;
  const logger = mockServices.logger.mock();

  async function runToEnd(namespace: string, name: string, message: string) {
    await tc.custom.createNamespacedCustomObject({
      ...runs,
      namespace,
      body: echoRun(namespace, name, message),
    });
    return waitFor(
      async () =>
        (await tc.custom.getNamespacedCustomObject({
          ...runs,
          namespace,
          name,
        })) as PipelineRun,
      isFinished,
      `pipeline run ${namespace}/${name} to finish`,
    );
  }

  const stepLog = async (run: PipelineRun, task: string) =>
    (
      await store.getStepLog(
        run.metadata.uid!,
        `${run.metadata.name}-${task}`,
        'say',
      )
    )?.content;

  beforeAll(async () => {
    tc = await startTektonTestCluster();
    const knex = await databases.init('SQLITE_3');
    store = await DatabaseLogStore.create(mockServices.database({ knex }));
  });

  afterAll(async () => {
    await service?.stop();
    await watches?.stop();
    await tc?.stop();
  });

  it('archives the runs finished before it started, then those finishing later, each with its own TaskRuns', async () => {
    // Same run name in two namespaces: their TaskRuns have the same names.
    const inCi = await runToEnd('ci', 'same', 'from ci');
    const inOther = await runToEnd('other', 'same', 'from other');

    const clusters = ClusterAccess.fromConfig(
      new ConfigReader({ kubernetes: tc.kubernetesConfig }),
    );
    watches = new TektonWatches({ clusters, logger });
    service = new StepLogService({ clusters, watches, store, logger });
    service.start();
    watches.start();
    // The start-up pass waits for the first lists, then archives.
    await service.idle();

    expect(await store.archivedAmong([inCi.metadata.uid!])).toEqual(
      new Set([inCi.metadata.uid]),
    );
    expect(await stepLog(inCi, 'first')).toBe('from ci first\n');
    expect(await stepLog(inCi, 'second')).toBe('from ci second\n');
    expect(await stepLog(inOther, 'first')).toBe('from other first\n');
    expect(await stepLog(inOther, 'second')).toBe('from other second\n');
    expect(await store.findRun('dev', 'other', 'same')).toMatchObject({
      runUid: inOther.metadata.uid,
    });

    const later = await runToEnd('ci', 'later', 'afterwards');
    await waitFor(
      () => store.isArchived(later.metadata.uid!),
      Boolean,
      'the run finished later to be archived',
    );
    expect(await stepLog(later, 'first')).toBe('afterwards first\n');
    expect(await stepLog(later, 'second')).toBe('afterwards second\n');
    expect(logger.warn).not.toHaveBeenCalled();
  });
});
