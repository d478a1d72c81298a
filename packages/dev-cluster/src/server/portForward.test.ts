import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { startTestCluster, TestCluster } from './testing';

/*
 * kubectl port-forward to a pod whose container serves HTTP, over both
 * transports kubectl speaks: the WebSocket tunnel it tries first (1.31+) and
 * the SPDY upgrade it falls back to (KUBECTL_PORT_FORWARD_WEBSOCKETS=false).
 */

jest.setTimeout(90_000);

/** A free local port (the container's and kubectl's must not collide with anything). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts `kubectl port-forward`; resolves once it prints that it forwards. */
function portForward(
  cluster: TestCluster,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(
    'kubectl',
    ['--kubeconfig', cluster.kubeconfigPath, 'port-forward', ...args],
    {
      env: {
        ...process.env,
        KUBECACHEDIR: path.join(
          path.dirname(cluster.kubeconfigPath),
          'kubecache',
        ),
        ...env,
      },
    },
  );
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Forwarding from 127.0.0.1'))
        resolve({ child, output: () => output });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', code =>
      reject(new Error(`kubectl port-forward exited ${code}: ${output}`)),
    );
  });
}

describe('kubectl port-forward', () => {
  let cluster: TestCluster;
  let podPort: number;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    cluster = await startTestCluster();
    podPort = await freePort();
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'node:22',
            command: [
              process.execPath,
              '-e',
              `require('http').createServer((req, res) => res.end('hello from ' + req.url)).listen(${podPort})`,
            ],
            ports: [{ containerPort: podPort }],
          },
        ],
      },
    };
    const applied = await cluster.kubectl(
      ['apply', '-f', '-'],
      JSON.stringify(pod),
    );
    const ready = await cluster.kubectl([
      'wait',
      '--for=condition=Ready',
      'pod/web',
      '--timeout=60s',
    ]);
    if (ready.code !== 0)
      throw new Error(`pod web: ${applied.stderr}${ready.stderr}`);
  });

  afterAll(async () => {
    for (const child of children) child.kill();
    await cluster?.dispose();
  });

  it.each([
    ['a WebSocket tunnel', {}],
    ['SPDY', { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' }],
  ])('forwards a local port to the container over %s', async (_, env) => {
    const localPort = await freePort();
    const { child } = await portForward(
      cluster,
      ['pod/web', `${localPort}:${podPort}`],
      env,
    );
    children.push(child);
    for (const page of ['/one', '/two']) {
      const response = await fetch(`http://127.0.0.1:${localPort}${page}`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(`hello from ${page}`);
    }
    child.kill();
  });

  it('reports a port nothing listens on as kubectl does', async () => {
    const localPort = await freePort();
    const closedPort = await freePort();
    const { child, output } = await portForward(cluster, [
      'pod/web',
      `${localPort}:${closedPort}`,
    ]);
    children.push(child);
    await expect(fetch(`http://127.0.0.1:${localPort}/`)).rejects.toThrow();
    await new Promise(resolve => child.once('exit', resolve));
    expect(output()).toContain(
      `an error occurred forwarding ${localPort} -> ${closedPort}: error forwarding port ${closedPort} to pod web`,
    );
    expect(output()).toContain('ECONNREFUSED');
  });
});
