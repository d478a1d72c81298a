import path from 'node:path';
// The dev cluster's index does not export its test helpers.
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import {
  startTestCluster,
  TestCluster,
} from '@cairn/dev-cluster/src/server/testing';

/*
 * operators/deploy as users install it: `kubectl apply -k` on a cluster,
 * and the Stone CRD's schema, printer columns and names as kubectl shows them.
 */

const DEPLOY = path.resolve(__dirname, '../../deploy');

jest.setTimeout(120_000);

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startTestCluster({ runWorkloads: false, tekton: false });
});
afterAll(() => cluster?.dispose());

const stone = (spec: string) => `
apiVersion: rollouts.cairn.dev/v1alpha1
kind: Stone
metadata: {name: web, namespace: shop}
spec:
${spec
  .trim()
  .split('\n')
  .map(line => `  ${line}`)
  .join('\n')}
`;

const VALID = `
strategy: Alpha
template:
  spec:
    containers: [{name: app, image: busybox:1.36, command: [sleep, 1d]}]
coordinates:
  - group: a
    replicas: 2
    zoneset: [{zone: local-1a, rack: local-1a-r1, host: node-a1-1}]
`;

it('installs with kubectl apply -k, after a client dry run', async () => {
  const client = await cluster.kubectl([
    'apply',
    '-k',
    DEPLOY,
    '--dry-run=client',
  ]);
  expect(client).toMatchObject({ code: 0, stderr: '' });
  expect(client.stdout).toContain(
    'customresourcedefinition.apiextensions.k8s.io/stones.rollouts.cairn.dev created (dry run)',
  );

  const applied = await cluster.kubectl(['apply', '-k', DEPLOY]);
  expect(applied.stderr).toBe('');
  // Every object of the kustomization is created; each operator adds its CRDs.
  const objects = (await cluster.kubectl(['kustomize', DEPLOY])).stdout
    .split(/^---$/m)
    .filter(doc => doc.trim());
  const created = applied.stdout.trim().split('\n');
  expect(created).toHaveLength(objects.length);
  expect(created.every(line => line.endsWith(' created'))).toBe(true);
  expect(created).toEqual(
    expect.arrayContaining([
      'clusterrole.rbac.authorization.k8s.io/cairn-operators created',
      'clusterrolebinding.rbac.authorization.k8s.io/cairn-operators created',
      'customresourcedefinition.apiextensions.k8s.io/stones.rollouts.cairn.dev created',
      'deployment.apps/cairn-operators created',
      'namespace/cairn-system created',
      'role.rbac.authorization.k8s.io/cairn-operators-leader-election created',
      'rolebinding.rbac.authorization.k8s.io/cairn-operators-leader-election created',
      'serviceaccount/cairn-operators created',
    ]),
  );
  const again = await cluster.kubectl(['apply', '-k', DEPLOY]);
  expect(again.stdout).not.toContain('configured');
  const server = await cluster.kubectl([
    'apply',
    '-k',
    DEPLOY,
    '--dry-run=server',
  ]);
  expect(server).toMatchObject({ code: 0, stderr: '' });

  const deployment = JSON.parse(
    (
      await cluster.kubectl([
        'get',
        'deployment',
        'cairn-operators',
        '-n',
        'cairn-system',
        '-o',
        'json',
      ])
    ).stdout,
  );
  expect(deployment.spec.replicas).toBe(2);
  expect(deployment.spec.template.spec.serviceAccountName).toBe(
    'cairn-operators',
  );
  expect(deployment.spec.template.spec.containers[0].image).toBe(
    'cairn/operators:0.1.0',
  );
});

describe('the Stone CRD', () => {
  beforeAll(async () => {
    await cluster.kubectl(['apply', '-k', DEPLOY]);
    await cluster.kubectl(['create', 'namespace', 'shop']);
  });

  it('accepts a Stone and prints stage, ready/updated/desired and age by its short name', async () => {
    const created = await cluster.kubectl(['apply', '-f', '-'], stone(VALID));
    expect(created).toMatchObject({
      code: 0,
      stdout: 'stone.rollouts.cairn.dev/web created\n',
    });
    const patched = await cluster.kubectl([
      'patch',
      'stone',
      'web',
      '-n',
      'shop',
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"readyReplicas":1,"updatedReplicas":1,"desiredReplicas":2}}',
    ]);
    expect(patched.code).toBe(0);
    const table = await cluster.kubectl(['get', 'stone', '-n', 'shop']);
    const [header, row] = table.stdout.trim().split('\n');
    expect(header.split(/\s+/)).toEqual([
      'NAME',
      'STAGE',
      'READY',
      'UPDATED',
      'DESIRED',
      'AGE',
    ]);
    expect(row.split(/\s+/).slice(0, 5)).toEqual([
      'web',
      'Alpha',
      '1',
      '1',
      '2',
    ]);
    const all = await cluster.kubectl([
      'get',
      'cairn',
      '-n',
      'shop',
      '-o',
      'name',
    ]);
    expect(all.stdout).toBe('stone.rollouts.cairn.dev/web\n');
  });

  it.each([
    [
      'an unknown stage',
      VALID.replace('strategy: Alpha', 'strategy: Gamma'),
      'spec.strategy: Unsupported value: "Gamma": supported values: "Alpha", "Beta", "Omega", "Release"',
    ],
    [
      'negative replicas',
      VALID.replace('replicas: 2', 'replicas: -1'),
      'spec.coordinates[0].replicas: Invalid value: -1: spec.coordinates[0].replicas in body should be greater than or equal to 0',
    ],
    [
      'a group without zoneset',
      VALID.replace(/ {4}zoneset: .*\n/, ''),
      'spec.coordinates[0].zoneset: Required value',
    ],
    [
      'a group name that cannot name a pod',
      VALID.replace('group: a', 'group: A'),
      'spec.coordinates[0].group: Invalid value: "A"',
    ],
    [
      'a group listed twice',
      `${VALID}  - {group: a, replicas: 1, zoneset: [{zone: local-1b}]}\n`,
      'spec.coordinates[1]: Duplicate value: ',
    ],
    [
      'an unknown update type',
      `${VALID}updateStrategy: {type: Rolling}\n`,
      'spec.updateStrategy.type: Unsupported value: "Rolling"',
    ],
    [
      'a template without containers',
      VALID.replace(/ {2}spec:\n {4}containers: .*\n/, '  spec: {}\n'),
      'spec.template.spec.containers: Required value',
    ],
  ])('refuses %s with the field', async (_what, spec, message) => {
    const result = await cluster.kubectl(
      ['apply', '--dry-run=server', '-f', '-'],
      stone(spec).replace('name: web', 'name: invalid'),
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(message);
  });
});
