import { healthChecks, healthReport } from './health';
import { startTestCluster, TestCluster } from './testing';

describe('healthReport', () => {
  const checks = healthChecks(() => false);

  it('answers ok, or one line per check with ?verbose', () => {
    expect(
      healthReport('livez', checks.livez, undefined, new URLSearchParams()),
    ).toEqual({ status: 200, body: 'ok' });
    const verbose = healthReport(
      'readyz',
      checks.readyz,
      undefined,
      new URLSearchParams('verbose'),
    )!;
    expect(verbose.status).toBe(200);
    const lines = verbose.body.split('\n');
    expect(lines[0]).toBe('[+]ping ok');
    expect(lines).toContain('[+]etcd-readiness ok');
    expect(lines).toContain('[+]shutdown ok');
    expect(verbose.body.endsWith('\nreadyz check passed\n')).toBe(true);
  });

  it('skips excluded checks, answers one check, and fails with status 500', () => {
    const excluded = healthReport(
      'livez',
      checks.livez,
      undefined,
      new URLSearchParams('verbose&exclude=etcd'),
    )!;
    expect(excluded.body).toContain('[+]etcd excluded: ok\n');
    expect(
      healthReport('livez', checks.livez, 'ping', new URLSearchParams()),
    ).toEqual({ status: 200, body: 'ok' });
    expect(
      healthReport('livez', checks.livez, 'nonsense', new URLSearchParams()),
    ).toBeUndefined();
    const closing = healthChecks(() => true);
    const failed = healthReport(
      'readyz',
      closing.readyz,
      undefined,
      new URLSearchParams(),
    )!;
    expect(failed.status).toBe(500);
    expect(failed.body).toContain('[-]shutdown failed: reason withheld\n');
    expect(failed.body.endsWith('readyz check failed\n')).toBe(true);
  });
});

describe('health endpoints of the dev cluster', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startTestCluster({ tekton: false, runWorkloads: false });
  });

  afterAll(async () => {
    await cluster.dispose();
  });

  it('answers kubectl get --raw as kube-apiserver does', async () => {
    expect((await cluster.kubectl(['get', '--raw', '/livez'])).stdout).toBe(
      'ok',
    );
    const verbose = await cluster.kubectl(['get', '--raw', '/readyz?verbose']);
    expect(verbose.stdout).toMatch(
      /^\[\+\]ping ok\n\[\+\]log ok\n\[\+\]etcd ok\n/,
    );
    expect(verbose.stdout).toMatch(/\nreadyz check passed\n$/);
    expect(
      (await cluster.kubectl(['get', '--raw', '/healthz/etcd'])).stdout,
    ).toBe('ok');
  });
});
