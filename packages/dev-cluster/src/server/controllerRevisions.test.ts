import { startTestCluster, TestCluster } from './testing';

/*
 * apps/v1 ControllerRevision, where controllers keep the revisions of what
 * they roll out (a StatefulSet's, a DaemonSet's, a Stone's): served, printed
 * as kubectl prints it, and its data immutable.
 */

jest.setTimeout(60_000);

const DEPLOYMENT = JSON.stringify({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    replicas: 0,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'app', image: 'busybox:1.36' }] },
    },
  },
});

/** A revision owned by the Deployment `web` (the garbage collector removes one whose owner is missing). */
const revision = (
  name: string,
  ownerUid: string,
  extra: Record<string, unknown> = {},
) =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name,
      namespace: 'default',
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: 'web',
          uid: ownerUid,
          controller: true,
        },
      ],
    },
    data: { spec: { template: { spec: { containers: [{ name: 'app' }] } } } },
    revision: 1,
    ...extra,
  });

describe('ControllerRevisions on the dev cluster', () => {
  let cluster: TestCluster;
  let owner: string;

  beforeAll(async () => {
    cluster = await startTestCluster({ runWorkloads: false, tekton: false });
    await cluster.kubectl(['create', '-f', '-'], DEPLOYMENT);
    owner = (
      await cluster.kubectl([
        'get',
        'deployment',
        'web',
        '-o',
        'jsonpath={.metadata.uid}',
      ])
    ).stdout;
  });

  afterAll(async () => {
    await cluster.dispose();
  });

  it('serves them in apps/v1 and prints controller and revision', async () => {
    const resources = await cluster.kubectl([
      'api-resources',
      '--api-group=apps',
      '--no-headers',
    ]);
    expect(resources.stdout).toMatch(
      /^controllerrevisions\s+apps\/v1\s+true\s+ControllerRevision$/m,
    );
    const created = await cluster.kubectl(
      ['create', '-f', '-'],
      revision('web-7d9f8b6c5', owner),
    );
    expect(created.stderr).toBe('');
    const table = await cluster.kubectl(['get', 'controllerrevisions']);
    expect(table.stdout).toMatch(
      /^NAME\s+CONTROLLER\s+REVISION\s+AGE\nweb-7d9f8b6c5\s+deployment\.apps\/web\s+1\s+\d+s\n$/,
    );
  });

  it('keeps data immutable and lets the revision number change', async () => {
    await cluster.kubectl(['create', '-f', '-'], revision('web-1', owner));
    const changeData = await cluster.kubectl([
      'patch',
      'controllerrevision',
      'web-1',
      '--type=merge',
      '-p',
      '{"data":{"spec":{"template":{"spec":{"containers":[{"name":"other"}]}}}}}',
    ]);
    expect(changeData.code).not.toBe(0);
    expect(changeData.stderr).toContain(
      'The ControllerRevision "web-1" is invalid: data: Invalid value:',
    );
    expect(changeData.stderr).toContain('field is immutable');

    const renumber = await cluster.kubectl([
      'patch',
      'controllerrevision',
      'web-1',
      '--type=merge',
      '-p',
      '{"revision":3}',
    ]);
    expect(renumber.code).toBe(0);
    const read = await cluster.kubectl([
      'get',
      'controllerrevision',
      'web-1',
      '-o',
      'jsonpath={.revision}',
    ]);
    expect(read.stdout).toBe('3');
  });

  it('refuses a revision without data or with a negative number', async () => {
    const noData = await cluster.kubectl(
      ['create', '-f', '-'],
      revision('empty', owner, { data: undefined }),
    );
    expect(noData.stderr).toContain(
      'The ControllerRevision "empty" is invalid: data: Required value: data is mandatory',
    );
    const negative = await cluster.kubectl(
      ['create', '-f', '-'],
      revision('negative', owner, { revision: -1 }),
    );
    expect(negative.stderr).toContain(
      'revision: Invalid value: -1: must be greater than or equal to 0',
    );
  });
});
