import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerInfo, ProcessRuntime } from './processRuntime';
import { handleStreamUpgrade } from './streamProtocol';

/**
 * kubectl — a client we did not write — against the runtime's exec and attach
 * endpoints behind a stand-in API server that serves just enough discovery
 * and the pod for kubectl to find it.
 */
const hasKubectl =
  spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status ===
  0;
const describeWithKubectl = hasKubectl ? describe : describe.skip;

let dir: string;
let runtime: ProcessRuntime;
let server: Server;
let kubeconfig: string;
let idle: ContainerInfo;
let reader: ContainerInfo;

const podObject = (name: string, container: object) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', uid: name },
  spec: { containers: [{ name: 'app', image: 'app', ...container }] },
  status: {
    phase: 'Running',
    containerStatuses: [
      {
        name: 'app',
        ready: true,
        restartCount: 0,
        image: 'app',
        imageID: '',
        state: { running: {} },
      },
    ],
  },
});

beforeAll(async () => {
  if (!hasKubectl) return;
  dir = mkdtempSync(join(tmpdir(), 'kubectl-exec-'));
  runtime = new ProcessRuntime({ stateDir: join(dir, 'state') });
  idle = await runtime.startContainer({
    podUid: 'web',
    podName: 'web',
    namespace: 'default',
    name: 'app',
    image: 'app',
    env: { GREETING: 'hello' },
  });
  reader = await runtime.startContainer({
    podUid: 'reader',
    podName: 'reader',
    namespace: 'default',
    name: 'app',
    image: 'app',
    command: ['sh', '-c', 'while read line; do echo "got $line"; done'],
    stdin: true,
    stdinOnce: true,
  });
  const responses: Record<string, unknown> = {
    '/version': { major: '1', minor: '33', gitVersion: 'v1.33.0' },
    '/api': {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [],
    },
    '/apis': { kind: 'APIGroupList', apiVersion: 'v1', groups: [] },
    '/api/v1': {
      kind: 'APIResourceList',
      groupVersion: 'v1',
      resources: [
        {
          name: 'pods',
          singularName: 'pod',
          namespaced: true,
          kind: 'Pod',
          verbs: ['get', 'list'],
          shortNames: ['po'],
        },
        {
          name: 'pods/attach',
          singularName: '',
          namespaced: true,
          kind: 'PodAttachOptions',
          verbs: ['create', 'get'],
        },
        {
          name: 'pods/exec',
          singularName: '',
          namespaced: true,
          kind: 'PodExecOptions',
          verbs: ['create', 'get'],
        },
      ],
    },
    '/api/v1/namespaces/default/pods/web': podObject('web', {}),
    '/api/v1/namespaces/default/pods/reader': podObject('reader', {
      stdin: true,
      stdinOnce: true,
    }),
  };
  server = createServer((req, res) => {
    const body = responses[new URL(req.url!, 'http://localhost').pathname];
    res.statusCode = body ? 200 : 404;
    res.setHeader('Content-Type', 'application/json');
    res.end(
      JSON.stringify(
        body ?? {
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          code: 404,
          reason: 'NotFound',
        },
      ),
    );
  });
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url!, 'http://localhost').pathname;
    handleStreamUpgrade(req, socket, head, options =>
      path.endsWith('/attach')
        ? runtime.attach(reader.id, { stdin: options.stdin })
        : runtime.exec(idle.id, {
            command: options.command,
            stdin: options.stdin,
            tty: options.tty,
          }),
    );
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  kubeconfig = join(dir, 'kubeconfig');
  const port = (server.address() as AddressInfo).port;
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters: [{name: dev, cluster: {server: "http://127.0.0.1:${port}"}}]
users: [{name: dev, user: {}}]
contexts: [{name: dev, context: {cluster: dev, user: dev}}]
current-context: dev
`,
  );
});

afterAll(async () => {
  if (!hasKubectl) return;
  server.closeAllConnections();
  await new Promise(resolve => server.close(resolve));
  await runtime.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

function kubectl(args: string[], input?: string) {
  return new Promise<{ code: number; stdout: string; stderr: string }>(
    resolve => {
      const child = execFile(
        'kubectl',
        ['--kubeconfig', kubeconfig, ...args],
        (error, stdout, stderr) =>
          resolve({
            code: error ? Number((error as { code?: number }).code ?? 1) : 0,
            stdout,
            stderr,
          }),
      );
      child.stdin!.end(input ?? '');
    },
  );
}

describeWithKubectl('kubectl against the stream protocols', () => {
  it('execs with stdout, stderr and the exit code', async () => {
    expect(
      await kubectl([
        'exec',
        'web',
        '--',
        'sh',
        '-c',
        'echo $GREETING; echo oops >&2; exit 3',
      ]),
    ).toEqual({
      code: 3,
      stdout: 'hello\n',
      stderr: 'oops\ncommand terminated with exit code 3\n',
    });
  });

  it('execs with stdin', async () => {
    expect(
      await kubectl(['exec', '-i', 'web', '--', 'cat'], 'piped\n'),
    ).toEqual({ code: 0, stdout: 'piped\n', stderr: '' });
  });

  it('execs in a terminal sized as the client terminal is', async () => {
    // `script` gives kubectl a real terminal of 37 rows and 91 columns.
    const result = await new Promise<{ code: number; stdout: string }>(
      resolve => {
        execFile(
          'script',
          [
            '-qec',
            `stty rows 37 cols 91; kubectl --kubeconfig ${kubeconfig} exec -it web -- sh -c 'tty; stty size; exit 4'`,
            '/dev/null',
          ],
          (error, stdout) =>
            resolve({
              code: error ? Number((error as { code?: number }).code ?? 1) : 0,
              stdout,
            }),
        );
      },
    );
    expect(result.code).toBe(4);
    expect(result.stdout).toMatch(/\/dev\/pts\/\d+\r\n37 91\r\n/);
  });

  it('attaches to the main process stdin and output', async () => {
    const result = await kubectl(['attach', '-i', 'reader'], 'one\ntwo\n');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('got one\ngot two\n');
  });
});
