import { startTestCluster, TestCluster } from './testing';

/* `kubectl --as`: what kube-apiserver answers to impersonation. */

jest.setTimeout(60_000);

describe('impersonation', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startTestCluster({ runWorkloads: false });
    await cluster.kubectl(['create', 'namespace', 'team-a']);
    await cluster.kubectl([
      '-n',
      'team-a',
      'create',
      'serviceaccount',
      'reader',
    ]);
    await cluster.kubectl([
      '-n',
      'team-a',
      'create',
      'rolebinding',
      'reader-view',
      '--clusterrole=view',
      '--serviceaccount=team-a:reader',
    ]);
  });

  afterAll(async () => {
    await cluster.dispose();
  });

  it('lets an admin act as a service account, with its rights only', async () => {
    const as = ['--as=system:serviceaccount:team-a:reader'];
    const whoami = await cluster.kubectl([
      'auth',
      'whoami',
      '-o',
      'json',
      ...as,
    ]);
    expect(JSON.parse(whoami.stdout).status.userInfo).toEqual({
      username: 'system:serviceaccount:team-a:reader',
      groups: [
        'system:serviceaccounts',
        'system:serviceaccounts:team-a',
        'system:authenticated',
      ],
    });

    const list = await cluster.kubectl(['-n', 'team-a', 'get', 'pods', ...as]);
    expect(list.code).toBe(0);
    const create = await cluster.kubectl([
      '-n',
      'team-a',
      'create',
      'configmap',
      'x',
      ...as,
    ]);
    expect(create.code).toBe(1);
    expect(create.stderr.trim()).toBe(
      'error: failed to create configmap: configmaps is forbidden: User "system:serviceaccount:team-a:reader" cannot create resource "configmaps" in API group "" in the namespace "team-a"',
    );
    const canI = await cluster.kubectl([
      'auth',
      'can-i',
      'delete',
      'pods',
      '-n',
      'team-a',
      ...as,
    ]);
    expect(canI.stdout.trim()).toBe('no');
  });

  it('gives an impersonated user the groups asked for, plus system:authenticated', async () => {
    const whoami = await cluster.kubectl([
      'auth',
      'whoami',
      '-o',
      'json',
      '--as=jane',
      '--as-group=developers',
    ]);
    expect(JSON.parse(whoami.stdout).status.userInfo).toEqual({
      username: 'jane',
      groups: ['developers', 'system:authenticated'],
    });
  });

  it('forbids impersonation to a caller without the impersonate verb', async () => {
    const token = (
      await cluster.kubectl(['-n', 'team-a', 'create', 'token', 'reader'])
    ).stdout.trim();
    const result = await cluster.kubectl([
      '--token',
      token,
      '--as=jane',
      'get',
      'pods',
      '-n',
      'team-a',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      'Error from server (Forbidden): users "jane" is forbidden: User "system:serviceaccount:team-a:reader" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
  });
});
