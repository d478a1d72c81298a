import { startTestCluster, TestCluster } from './testing';

/*
 * A container that cannot start gets StartError with runc's words and the
 * OS's reason, and a pod that does not restart fails. A Tekton step that
 * cannot start shows StartError too and fails its TaskRun, as Tekton's
 * DidTaskRunFail does, although its pod still runs (the results sidecar).
 */

jest.setTimeout(120_000);

const NAMESPACE = 'start-errors';

/** Beyond Linux's MAX_ARG_STRLEN (128 KiB) for one argument: execve fails with E2BIG. */
const HUGE_ARGUMENT = 'x'.repeat(200_000);

async function eventually<T>(read: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition never held');
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}

describe('containers that cannot start', () => {
  let cluster: TestCluster;

  const create = (manifest: object) =>
    cluster.kubectl(
      ['-n', NAMESPACE, 'create', '-f', '-'],
      JSON.stringify(manifest),
    );
  const getJson = async (...args: string[]) =>
    JSON.parse(
      (await cluster.kubectl(['-n', NAMESPACE, 'get', ...args, '-o', 'json']))
        .stdout,
    );
  const failedPod = (name: string) =>
    eventually(async () => {
      const pod = await getJson('pod', name);
      return pod.status.phase === 'Failed' ? pod : undefined;
    });
  const pod = (name: string, container: object, extra: object = {}) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      restartPolicy: 'Never',
      containers: [{ name: 'app', image: 'busybox:1.36', ...container }],
      ...extra,
    },
  });
  const runc =
    'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: ';

  beforeAll(async () => {
    cluster = await startTestCluster();
    await cluster.kubectl(['create', 'namespace', NAMESPACE]);
  });

  afterAll(async () => {
    await cluster.dispose();
  });

  it.each([
    [
      'missing-executable',
      { command: ['no-such-program'] },
      {},
      `${runc}exec: "no-such-program": executable file not found in $PATH: unknown`,
    ],
    [
      'argument-too-long',
      { command: ['echo', HUGE_ARGUMENT] },
      {},
      `${runc}exec: "echo": argument list too long: unknown`,
    ],
    [
      'working-dir-under-a-file',
      {
        command: ['true'],
        workingDir: '/data/file/sub',
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
      },
      {
        volumes: [{ name: 'data', emptyDir: {} }],
        initContainers: [
          {
            name: 'init',
            image: 'busybox:1.36',
            command: ['sh', '-c', 'echo > data/file'],
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
          },
        ],
      },
      `${runc}error during container init: chdir to cwd ("/data/file/sub") set in config.json failed: not a directory: unknown`,
    ],
  ])(
    '%s: StartError with the reason, and the pod fails',
    async (name, container, extra, message) => {
      expect((await create(pod(name, container, extra))).stderr).toBe('');
      const failed = await failedPod(name);
      const status = failed.status.containerStatuses[0];
      expect(status.state.terminated).toMatchObject({
        exitCode: 128,
        reason: 'StartError',
        message,
      });
      const events = await getJson(
        'events',
        '--field-selector',
        `involvedObject.name=${name}`,
      );
      expect(events.items.map((e: any) => e.message)).toContain(
        `Error: ${message}`,
      );
    },
  );

  it('gives a Tekton step that cannot start StartError with the reason, which its TaskRun reports', async () => {
    await create({
      apiVersion: 'tekton.dev/v1',
      kind: 'TaskRun',
      metadata: { name: 'cannot-start' },
      spec: {
        taskSpec: {
          steps: [
            {
              name: 'big',
              image: 'busybox:1.36',
              command: ['echo'],
              args: [HUGE_ARGUMENT],
            },
          ],
        },
      },
    });
    const step = await eventually(async () => {
      const stepPod = await getJson('pod', 'cannot-start-pod').catch(
        () => undefined,
      );
      return stepPod?.status?.containerStatuses?.find(
        (c: any) => c.name === 'step-big' && c.state.terminated,
      );
    });
    // Tekton's entrypoint runs the step through sh, whose exec fails.
    expect(step.state.terminated).toMatchObject({
      exitCode: 128,
      reason: 'StartError',
      message: `${runc}exec: "/bin/sh": argument list too long: unknown`,
    });
    const run = await eventually(async () => {
      const taskRun = await getJson('taskrun', 'cannot-start');
      return taskRun.status?.completionTime ? taskRun : undefined;
    });
    expect(run.status.steps[0].terminated.exitCode).toBe(128);
    expect(run.status.conditions).toEqual([
      expect.objectContaining({
        type: 'Succeeded',
        status: 'False',
        reason: 'Failed',
        message: expect.stringContaining(
          `"step-big" exited with code 128 (image: "docker.io/library/busybox@sha256:`,
        ),
      }),
    ]);
    expect(run.status.conditions[0].message).toContain(
      'argument list too long',
    );
  });
});
