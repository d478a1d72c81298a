import { BatchV1Api, KubeConfig } from '@kubernetes/client-node';
import { startTestCluster, TestCluster } from './testing';

/*
 * batch/v1 Jobs and CronJobs as kubectl users and client-node see them.
 */

jest.setTimeout(60_000);

const NS = 'batch';

function jobYaml(name: string, spec: string, command: string): string {
  return `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
  namespace: ${NS}
spec:
${spec
  .split('\n')
  .map(line => `  ${line}`)
  .join('\n')}
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: busybox
        command: ["sh", "-c", ${JSON.stringify(command)}]
`;
}

describe('Jobs and CronJobs on the dev cluster', () => {
  let cluster: TestCluster;
  let batch: BatchV1Api;

  const kubectl = (...args: string[]) => cluster.kubectl(['-n', NS, ...args]);
  const apply = (yaml: string) => cluster.kubectl(['apply', '-f', '-'], yaml);
  const job = async (name: string) =>
    batch.readNamespacedJob({ name, namespace: NS });
  const conditionTypes = (j: any) =>
    (j.status?.conditions ?? [])
      .filter((c: any) => c.status === 'True')
      .map((c: any) => c.type);

  beforeAll(async () => {
    cluster = await startTestCluster({ tekton: false });
    const kc = new KubeConfig();
    kc.loadFromString(cluster.kubeconfig);
    batch = kc.makeApiClient(BatchV1Api);
    await cluster.kubectl(['create', 'namespace', NS]);
  });

  afterAll(async () => {
    await cluster.dispose();
  });

  it('runs kubectl create job to completion and prints it as kubectl does', async () => {
    const created = await kubectl(
      'create',
      'job',
      'hello',
      '--image=busybox',
      '--',
      'sh',
      '-c',
      'echo hello from a job',
    );
    expect(created.stdout).toBe('job.batch/hello created\n');
    const waited = await kubectl(
      'wait',
      '--for=condition=complete',
      'job/hello',
      '--timeout=30s',
    );
    expect(waited.stdout).toBe('job.batch/hello condition met\n');
    expect((await kubectl('logs', 'job/hello')).stdout).toBe(
      'hello from a job\n',
    );
    const table = (await kubectl('get', 'jobs')).stdout.split('\n');
    expect(table[0].split(/\s{2,}/)).toEqual([
      'NAME',
      'STATUS',
      'COMPLETIONS',
      'DURATION',
      'AGE',
    ]);
    expect(table[1]).toMatch(/^hello\s+Complete\s+1\/1\s+\d+s\s+\d+s$/);

    const hello = await job('hello');
    const uid = hello.metadata!.uid!;
    expect(hello.spec!.selector).toEqual({
      matchLabels: { 'batch.kubernetes.io/controller-uid': uid },
    });
    expect(hello.spec).toMatchObject({
      backoffLimit: 6,
      completions: 1,
      parallelism: 1,
      completionMode: 'NonIndexed',
      suspend: false,
    });
    expect(hello.status).toMatchObject({
      succeeded: 1,
      ready: 0,
      startTime: expect.any(Date),
      completionTime: expect.any(Date),
    });
    expect(conditionTypes(hello)).toEqual(['SuccessCriteriaMet', 'Complete']);
    const pods = JSON.parse(
      (await kubectl('get', 'pods', '-l', 'job-name=hello', '-o', 'json'))
        .stdout,
    ).items;
    expect(pods).toHaveLength(1);
    expect(pods[0].metadata.labels).toMatchObject({
      'batch.kubernetes.io/controller-uid': uid,
      'batch.kubernetes.io/job-name': 'hello',
    });
    const events = (
      await kubectl(
        'get',
        'events',
        '--field-selector',
        'involvedObject.name=hello,involvedObject.kind=Job',
        '-o',
        'jsonpath={.items[*].reason}',
      )
    ).stdout;
    expect(events).toBe('SuccessfulCreate Completed');
  });

  it('runs completions with at most parallelism pods at a time', async () => {
    await apply(
      jobYaml('three', 'completions: 3\nparallelism: 2', 'echo done'),
    );
    await kubectl(
      'wait',
      '--for=condition=complete',
      'job/three',
      '--timeout=30s',
    );
    const three = await job('three');
    expect(three.status?.succeeded).toBe(3);
    const pods = JSON.parse(
      (await kubectl('get', 'pods', '-l', 'job-name=three', '-o', 'json'))
        .stdout,
    ).items;
    expect(pods.map((p: any) => p.status.phase)).toEqual([
      'Succeeded',
      'Succeeded',
      'Succeeded',
    ]);
    // Never more than two at once: the third started after one had ended.
    const starts = pods
      .map((p: any) =>
        Date.parse(p.status.containerStatuses[0].state.terminated.startedAt),
      )
      .sort();
    const ends = pods
      .map((p: any) =>
        Date.parse(p.status.containerStatuses[0].state.terminated.finishedAt),
      )
      .sort();
    expect(starts[2]).toBeGreaterThanOrEqual(ends[0]);
  });

  it('gives every index of an Indexed job its JOB_COMPLETION_INDEX', async () => {
    await apply(
      jobYaml(
        'indexed',
        'completions: 3\nparallelism: 3\ncompletionMode: Indexed',
        'echo $JOB_COMPLETION_INDEX',
      ),
    );
    await kubectl(
      'wait',
      '--for=condition=complete',
      'job/indexed',
      '--timeout=30s',
    );
    expect((await job('indexed')).status?.completedIndexes).toBe('0-2');
    const pods = JSON.parse(
      (await kubectl('get', 'pods', '-l', 'job-name=indexed', '-o', 'json'))
        .stdout,
    ).items;
    const logs = await Promise.all(
      pods.map(
        async (p: any) => (await kubectl('logs', p.metadata.name)).stdout,
      ),
    );
    expect(logs.sort()).toEqual(['0\n', '1\n', '2\n']);
  });

  it('fails a job past its backoffLimit', async () => {
    await apply(jobYaml('failing', 'backoffLimit: 0', 'exit 3'));
    const waited = await kubectl(
      'wait',
      '--for=condition=failed',
      'job/failing',
      '--timeout=30s',
    );
    expect(waited.code).toBe(0);
    const failing = await job('failing');
    expect(failing.status?.failed).toBe(1);
    expect(
      failing.status?.conditions?.find(c => c.type === 'Failed'),
    ).toMatchObject({
      reason: 'BackoffLimitExceeded',
      message: 'Job has reached the specified backoff limit',
    });
    expect((await kubectl('get', 'job', 'failing')).stdout).toMatch(
      /failing\s+Failed\s+0\/1/,
    );
  });

  it('fails a job at once on a FailJob rule of its podFailurePolicy', async () => {
    await apply(
      jobYaml(
        'policy',
        `backoffLimit: 6
podFailurePolicy:
  rules:
  - action: FailJob
    onExitCodes:
      containerName: main
      operator: In
      values: [42]`,
        'exit 42',
      ),
    );
    await kubectl(
      'wait',
      '--for=condition=failed',
      'job/policy',
      '--timeout=30s',
    );
    const policy = await job('policy');
    const failed = policy.status?.conditions?.find(c => c.type === 'Failed');
    expect(failed?.reason).toBe('PodFailurePolicy');
    expect(failed?.message).toMatch(
      /^Container main for pod batch\/policy-\w+ failed with exit code 42 matching FailJob rule at index 0$/,
    );
    expect(policy.spec?.podReplacementPolicy).toBe('Failed');
  });

  it('does not count failures an Ignore rule matches against backoffLimit', async () => {
    await apply(
      jobYaml(
        'ignored',
        `backoffLimit: 0
activeDeadlineSeconds: 3
podFailurePolicy:
  rules:
  - action: Ignore
    onExitCodes:
      operator: In
      values: [7]`,
        'exit 7',
      ),
    );
    await kubectl(
      'wait',
      '--for=condition=failed',
      'job/ignored',
      '--timeout=30s',
    );
    const ignored = await job('ignored');
    expect(
      ignored.status?.conditions?.find(c => c.type === 'Failed')?.reason,
    ).toBe('DeadlineExceeded');
    expect(ignored.status?.failed).toBeUndefined();
    const pods = (
      await kubectl('get', 'pods', '-l', 'job-name=ignored', '-o', 'name')
    ).stdout
      .trim()
      .split('\n');
    expect(pods.length).toBeGreaterThan(1);
  });

  it('fails a job that runs longer than activeDeadlineSeconds and stops its pods', async () => {
    await apply(jobYaml('slow', 'activeDeadlineSeconds: 1', 'sleep 30'));
    await kubectl(
      'wait',
      '--for=condition=failed',
      'job/slow',
      '--timeout=30s',
    );
    const slow = await job('slow');
    expect(
      slow.status?.conditions?.find(c => c.type === 'Failed'),
    ).toMatchObject({
      reason: 'DeadlineExceeded',
      message: 'Job was active longer than specified deadline',
    });
    await kubectl(
      'wait',
      '--for=delete',
      'pods',
      '-l',
      'job-name=slow',
      '--timeout=30s',
    );
    expect(
      (await kubectl('get', 'pods', '-l', 'job-name=slow', '-o', 'name'))
        .stdout,
    ).toBe('');
  });

  it('runs no pods while suspended, and runs them once resumed', async () => {
    await apply(jobYaml('later', 'suspend: true', 'echo resumed'));
    await kubectl(
      'wait',
      '--for=condition=suspended',
      'job/later',
      '--timeout=30s',
    );
    expect((await kubectl('get', 'job', 'later')).stdout).toMatch(
      /later\s+Suspended\s+0\/1/,
    );
    expect((await job('later')).status?.startTime).toBeUndefined();
    expect(
      (await kubectl('get', 'pods', '-l', 'job-name=later', '-o', 'name'))
        .stdout,
    ).toBe('');
    await kubectl(
      'patch',
      'job',
      'later',
      '--type=merge',
      '-p',
      '{"spec":{"suspend":false}}',
    );
    await kubectl(
      'wait',
      '--for=condition=complete',
      'job/later',
      '--timeout=30s',
    );
    const later = await job('later');
    expect(
      later.status?.conditions?.find(c => c.type === 'Suspended'),
    ).toMatchObject({ status: 'False', reason: 'JobResumed' });
  });

  it('deletes a finished job and its pods after ttlSecondsAfterFinished', async () => {
    await apply(jobYaml('brief', 'ttlSecondsAfterFinished: 0', 'true'));
    const gone = await kubectl(
      'wait',
      '--for=delete',
      'job/brief',
      '--timeout=30s',
    );
    expect(gone.code).toBe(0);
    await kubectl(
      'wait',
      '--for=delete',
      'pods',
      '-l',
      'job-name=brief',
      '--timeout=30s',
    );
  });

  it('rejects what Kubernetes rejects', async () => {
    const always = await apply(
      jobYaml('always', '', 'true').replace(
        'restartPolicy: Never',
        'restartPolicy: Always',
      ),
    );
    expect(always.stderr).toContain(
      'spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
    );
    const changed = await kubectl(
      'set',
      'image',
      'job/hello',
      'hello=busybox:1.36',
    );
    expect(changed.stderr).toContain('spec.template: Invalid value');
    expect(changed.stderr).toContain('field is immutable');
  });

  it('schedules CronJobs in their time zone and starts jobs from them by hand', async () => {
    const created = await kubectl(
      'create',
      'cronjob',
      'nightly',
      '--image=busybox',
      '--schedule=0 3 * * *',
      '--',
      'sh',
      '-c',
      'echo nightly',
    );
    expect(created.stdout).toBe('cronjob.batch/nightly created\n');
    await kubectl(
      'patch',
      'cronjob',
      'nightly',
      '--type=merge',
      '-p',
      '{"spec":{"timeZone":"Europe/Berlin","successfulJobsHistoryLimit":1}}',
    );
    const table = (await kubectl('get', 'cronjobs')).stdout.split('\n');
    expect(table[0].split(/\s{2,}/)).toEqual([
      'NAME',
      'SCHEDULE',
      'TIMEZONE',
      'SUSPEND',
      'ACTIVE',
      'LAST SCHEDULE',
      'AGE',
    ]);
    expect(table[1]).toMatch(
      /^nightly\s+0 3 \* \* \*\s+Europe\/Berlin\s+False\s+0\s+<none>\s+\d+s$/,
    );
    const cronJob = await batch.readNamespacedCronJob({
      name: 'nightly',
      namespace: NS,
    });
    expect(cronJob.spec).toMatchObject({
      concurrencyPolicy: 'Allow',
      suspend: false,
      failedJobsHistoryLimit: 1,
    });

    for (const name of ['manual-1', 'manual-2']) {
      const run = await kubectl(
        'create',
        'job',
        name,
        '--from=cronjob/nightly',
      );
      expect(run.stdout).toBe(`job.batch/${name} created\n`);
      await kubectl(
        'wait',
        '--for=condition=complete',
        `job/${name}`,
        '--timeout=30s',
      );
    }
    expect((await kubectl('logs', 'job/manual-2')).stdout).toBe('nightly\n');
    // successfulJobsHistoryLimit 1: the older manual run goes.
    const deleted = await kubectl(
      'wait',
      '--for=delete',
      'job/manual-1',
      '--timeout=30s',
    );
    expect(deleted.code).toBe(0);
    expect((await kubectl('get', 'job', 'manual-2', '-o', 'name')).stdout).toBe(
      'job.batch/manual-2\n',
    );
  });

  it('creates a job at each scheduled time and records it in the status', async () => {
    await apply(`apiVersion: batch/v1
kind: CronJob
metadata:
  name: often
  namespace: ${NS}
spec:
  schedule: "@every 2s"
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: main
            image: busybox
            command: ["true"]
`);
    await kubectl(
      'wait',
      '--for=jsonpath={.status.lastSuccessfulTime}',
      'cronjob/often',
      '--timeout=30s',
    );
    const often = await batch.readNamespacedCronJob({
      name: 'often',
      namespace: NS,
    });
    expect(often.status?.lastScheduleTime).toBeInstanceOf(Date);
    const jobs = (
      await batch.listNamespacedJob({ namespace: NS })
    ).items.filter(j => j.metadata?.ownerReferences?.[0]?.name === 'often');
    expect(jobs.length).toBeGreaterThanOrEqual(1);
    const scheduled = Date.parse(
      jobs[0].metadata!.annotations![
        'batch.kubernetes.io/cronjob-scheduled-timestamp'
      ],
    );
    expect(jobs[0].metadata!.name).toBe(
      `often-${Math.floor(scheduled / 60_000)}`,
    );
    await kubectl(
      'patch',
      'cronjob',
      'often',
      '--type=merge',
      '-p',
      '{"spec":{"suspend":true}}',
    );
  });

  it('rejects bad schedules and time zones with Kubernetes messages', async () => {
    const bad = await apply(`apiVersion: batch/v1
kind: CronJob
metadata:
  name: bad
  namespace: ${NS}
spec:
  schedule: "CRON_TZ=UTC 61 * * * *"
  timeZone: Mars/Olympus
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: main
            image: busybox
`);
    expect(bad.stderr).toContain(
      'spec.schedule: Invalid value: "CRON_TZ=UTC 61 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
    );
    expect(bad.stderr).toContain(
      'spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus',
    );
  });
});
