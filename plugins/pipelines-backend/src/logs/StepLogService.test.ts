import {
  ClusterAccess,
  ClusterWatches,
  getEntityScope,
} from '@cairn/plugin-kubernetes-node';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { isFinished, PipelineRun } from '@cairn/plugin-pipelines-common';
import { waitFor } from '@cairn/plugin-kubernetes-node/testUtils';
import { Knex } from 'knex';
import { Readable } from 'node:stream';
import { TektonWatches } from '../watch';
import {
  startTektonTestCluster,
  TektonTestCluster,
  tektonObjects,
} from '../__testUtils__/tektonCluster';
import { DatabaseLogStore } from './LogStore';
import { StepLogArchiver } from './StepLogArchiver';
import { StepLogService } from './StepLogService';

/*
 * Downloads of archived step logs against a dev cluster with Tekton, on
 * both databases: the bytes come back exactly as the step wrote them
 * (PostgreSQL's come by binary COPY, parsed as they arrive, so a chunk and
 * a character may be cut anywhere on the way), and a download the reader
 * abandons gives its database connection back.
 */

jest.setTimeout(300_000);

const SCOPE = getEntityScope({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'shop',
    annotations: { 'backstage.io/kubernetes-id': 'shop' },
  },
});

// 15 bytes a line, so 256 KiB chunks end inside characters.
const LINE = 'ab é€😀 x\n';
const LINES = 60_000;
const LOG = Buffer.from(LINE.repeat(LINES));

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

describe('StepLogService', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
  let tc: TektonTestCluster;
  const logger = mockServices.logger.mock();

  beforeAll(async () => {
    tc = await startTektonTestCluster();
  });

  afterAll(async () => {
    await tc?.stop();
  });

  async function start(knex: Knex) {
    const store = await DatabaseLogStore.create(
      mockServices.database({ knex }),
    );
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
      replica: 'test',
      flushMs: 100,
    });
    archiver.start();
    watches.start();
    return {
      logs: new StepLogService({
        clusters,
        watches,
        store,
        archiver,
        retentionDays: 30,
      }),
      // Before the test's database closes.
      stop: async () => {
        await archiver.stop();
        await shared.stop();
      },
    };
  }

  it.each(databases.eachSupportedId())(
    'sends a multi-chunk UTF-8 log byte for byte, whole and by range, and frees the connection of an abandoned download, on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { logs, stop } = await start(knex);
      try {
        const name = `utf8-${String(databaseId)
          .toLowerCase()
          .replace(/_/g, '-')}`;
        await tc.custom.createNamespacedCustomObject({
          ...tektonObjects('pipelineruns'),
          namespace: 'ci',
          body: {
            apiVersion: 'tekton.dev/v1',
            kind: 'PipelineRun',
            metadata: {
              name,
              labels: { 'backstage.io/kubernetes-id': 'shop' },
            },
            spec: {
              pipelineSpec: {
                tasks: [
                  {
                    name: 'work',
                    taskSpec: {
                      steps: [
                        {
                          name: 'say',
                          image: 'alpine',
                          script: `#!/bin/sh\nyes '${LINE.trimEnd()}' | head -n ${LINES}\n`,
                        },
                      ],
                    },
                  },
                ],
              },
            },
          },
        });
        await waitFor(
          async () =>
            (await tc.custom.getNamespacedCustomObject({
              ...tektonObjects('pipelineruns'),
              namespace: 'ci',
              name,
            })) as PipelineRun,
          isFinished,
          `run ${name} to finish`,
          120_000,
        );
        const request = { taskRun: `${name}-work`, step: 'say' };

        const whole = await logs.read(SCOPE, 'dev', 'ci', name, request);
        expect(whole.size).toBe(LOG.length);
        const bytes = await readAll(whole.stream);
        expect(bytes.equals(LOG)).toBe(true);
        expect(bytes.toString('utf8')).toBe(LINE.repeat(LINES));

        // 300,000 and 600,000 are line starts (15 bytes a line).
        const range = await logs.read(SCOPE, 'dev', 'ci', name, {
          ...request,
          start: 300_000,
          end: 600_000,
        });
        expect(range.start).toBe(300_000);
        expect(
          (await readAll(range.stream)).equals(LOG.subarray(300_000, 600_000)),
        ).toBe(true);

        // The reader goes away after the first bytes.
        const abandoned = await logs.read(SCOPE, 'dev', 'ci', name, request);
        const first = await new Promise<Buffer>((resolve, reject) => {
          abandoned.stream.once('data', resolve);
          abandoned.stream.once('error', reject);
        });
        expect(first.length).toBeGreaterThan(0);
        abandoned.stream.destroy();
        const pool = (knex.client as { pool: { numUsed(): number } }).pool;
        await waitFor(
          async () => pool.numUsed(),
          used => used === 0,
          'the abandoned download to give its connection back',
          10_000,
        );
      } finally {
        await stop();
      }
    },
  );
});
