import { spawn } from 'node:child_process';
import type { V1Pod } from '@kubernetes/client-node';
import {
  buildCopyPod,
  buildEphemeralContainer,
  copyPodName,
  debugContainerName,
  endProcessCommand,
  resolveDebugSession,
} from './objects';
import { DEFAULT_DEBUG_SESSION_CONFIG } from './toolkits';
import type { DebugSession } from './types';

const session = (spec: Partial<DebugSession['spec']> = {}): DebugSession => ({
  metadata: {
    name: 'look',
    namespace: 'shop',
    uid: '0a1b2c3d-4e5f-6789-abcd-ef0123456789',
  },
  spec: {
    podName: 'web-0',
    targetContainer: 'app',
    toolkit: 'busybox',
    ...spec,
  },
});

const resolved = (spec: Partial<DebugSession['spec']> = {}) => {
  const result = resolveDebugSession(
    session(spec),
    DEFAULT_DEBUG_SESSION_CONFIG,
  );
  if ('error' in result) throw new Error(result.error);
  return result;
};

describe('resolveDebugSession', () => {
  it('takes image, profile and command from the toolkit, ephemeral and 1 hour by default', () => {
    expect(resolved({ toolkit: 'netshoot' })).toEqual({
      mode: 'ephemeral',
      image: 'docker.io/nicolaka/netshoot:v0.13',
      profile: 'netadmin',
      command: ['bash', '-l'],
      ttlSeconds: 3600,
    });
  });

  it('lets the session choose the profile, the mode and the TTL, within the cap', () => {
    expect(
      resolved({
        toolkit: 'busybox',
        profile: 'restricted',
        mode: 'copy',
        ttlSeconds: 60,
      }),
    ).toEqual({
      mode: 'copy',
      image: 'docker.io/library/busybox:1.37',
      profile: 'restricted',
      ttlSeconds: 60,
    });
    expect(resolved({ ttlSeconds: 100_000 }).ttlSeconds).toBe(28_800);
  });

  it('runs an image outside the catalog with the general profile and its own entrypoint', () => {
    expect(
      resolved({ toolkit: undefined, image: 'registry.example/tools:1' }),
    ).toEqual({
      mode: 'ephemeral',
      image: 'registry.example/tools:1',
      profile: 'general',
      ttlSeconds: 3600,
    });
  });

  it.each([
    [
      { toolkit: 'gdb' },
      'unknown toolkit "gdb"; the catalog has netshoot, busybox, arthas, py-spy, delve',
    ],
    [{ toolkit: undefined }, 'spec.toolkit or spec.image is required'],
    [
      { image: 'busybox' },
      'spec.toolkit and spec.image are exclusive: name one',
    ],
  ])('says why %j cannot run', (spec, error) => {
    expect(
      resolveDebugSession(session(spec), DEFAULT_DEBUG_SESSION_CONFIG),
    ).toEqual({ error });
  });
});

describe('names', () => {
  it('are the same on every reconcile and differ between sessions', () => {
    expect(debugContainerName(session())).toBe('debugger-0a1b2c3d4e');
    expect(copyPodName(session())).toBe('web-0-debug-0a1b2');
    const other = {
      ...session(),
      metadata: {
        ...session().metadata,
        uid: 'ffffffff-0000-0000-0000-000000000000',
      },
    };
    expect(debugContainerName(other)).toBe('debugger-ffffffff00');
  });

  it('keep a copy of a long-named pod within 253 characters', () => {
    expect(copyPodName(session({ podName: 'p'.repeat(253) }))).toHaveLength(
      253,
    );
  });
});

describe('buildEphemeralContainer', () => {
  it('targets the container, is interactive, carries the profile and the session mark', () => {
    expect(
      buildEphemeralContainer(
        session({ toolkit: 'netshoot' }),
        resolved({ toolkit: 'netshoot' }),
      ),
    ).toEqual({
      name: 'debugger-0a1b2c3d4e',
      image: 'docker.io/nicolaka/netshoot:v0.13',
      command: ['bash', '-l'],
      env: [
        {
          name: 'CAIRN_DEBUG_SESSION',
          value: '0a1b2c3d-4e5f-6789-abcd-ef0123456789',
        },
      ],
      stdin: true,
      tty: true,
      terminationMessagePolicy: 'File',
      securityContext: { capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } },
      targetContainerName: 'app',
    });
  });

  it('has no securityContext under baseline and no command when the toolkit has none', () => {
    const container = buildEphemeralContainer(
      session(),
      resolved({ profile: 'baseline' }),
    );
    expect(container).not.toHaveProperty('securityContext');
    expect(container).not.toHaveProperty('command');
  });
});

describe('buildCopyPod', () => {
  const probe = { exec: { command: ['true'] } };
  const pod: V1Pod = {
    metadata: {
      name: 'web-0',
      namespace: 'shop',
      uid: 'pod-uid',
      labels: { app: 'web' },
      annotations: { note: 'x' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs' },
      ],
    },
    spec: {
      nodeName: 'node-a1-1',
      initContainers: [{ name: 'migrate', image: 'app:1' }],
      containers: [
        {
          name: 'app',
          image: 'app:1',
          command: ['/app'],
          args: ['--crash'],
          livenessProbe: probe,
          readinessProbe: probe,
          startupProbe: probe,
        },
        { name: 'sidecar', image: 'proxy:1', readinessProbe: probe },
      ],
      ephemeralContainers: [{ name: 'debugger-old', image: 'busybox' }],
      restartPolicy: 'Always',
    },
    status: { phase: 'Running' },
  };
  const copy = buildCopyPod(
    session({ mode: 'copy' }),
    pod,
    resolved({ mode: 'copy', ttlSeconds: 600 }),
  );

  it('strips every probe, init and ephemeral container, the node and the status', () => {
    for (const container of copy.spec!.containers) {
      expect(container).not.toHaveProperty('livenessProbe');
      expect(container).not.toHaveProperty('readinessProbe');
      expect(container).not.toHaveProperty('startupProbe');
    }
    expect(copy.spec).not.toHaveProperty('initContainers');
    expect(copy.spec).not.toHaveProperty('ephemeralContainers');
    expect(copy.spec).not.toHaveProperty('nodeName');
    expect(copy).not.toHaveProperty('status');
  });

  it('makes the target sleep, keeps the others, and adds the debug container', () => {
    expect(
      copy.spec!.containers.map(c => [c.name, c.image, c.command, c.args]),
    ).toEqual([
      [
        'app',
        'app:1',
        ['sh', '-c', 'while true; do sleep 30; done'],
        undefined,
      ],
      ['sidecar', 'proxy:1', undefined, undefined],
      [
        'debugger-0a1b2c3d4e',
        'docker.io/library/busybox:1.37',
        undefined,
        undefined,
      ],
    ]);
    expect(copy.spec!.containers[2]).toMatchObject({
      stdin: true,
      tty: true,
      securityContext: { capabilities: { add: ['SYS_PTRACE'] } },
    });
    expect(copy.spec!.shareProcessNamespace).toBe(true);
    expect(copy.spec!.restartPolicy).toBe('Always');
  });

  it('keeps a pod’s explicit choice not to share its process namespace, as kubectl does', () => {
    const isolated = buildCopyPod(
      session({ mode: 'copy' }),
      { ...pod, spec: { ...pod.spec!, shareProcessNamespace: false } },
      resolved({ mode: 'copy' }),
    );
    expect(isolated.spec!.shareProcessNamespace).toBe(false);
  });

  it('is selected by no Service, owned by the session, and ends at the TTL without the controller', () => {
    expect(copy.metadata).toEqual({
      name: 'web-0-debug-0a1b2',
      namespace: 'shop',
      labels: { 'debug.cairn.dev/session': 'look' },
      ownerReferences: [
        {
          apiVersion: 'debug.cairn.dev/v1alpha1',
          kind: 'DebugSession',
          name: 'look',
          uid: '0a1b2c3d-4e5f-6789-abcd-ef0123456789',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    });
    expect(copy.spec!.activeDeadlineSeconds).toBe(600);
  });

  it('leaves the original pod as it was', () => {
    expect(pod.spec!.containers[0].livenessProbe).toBe(probe);
    expect(pod.spec!.nodeName).toBe('node-a1-1');
  });
});

describe('endProcessCommand', () => {
  // Real processes on this machine: one carries the session's mark, one a
  // different session's, one none; only the first may end.
  const run = (env: Record<string, string>) => {
    const child = spawn('sleep', ['60'], {
      env: { ...process.env, ...env },
      stdio: 'ignore',
    });
    const exited = new Promise<string | null>(resolve =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    return { child, exited };
  };

  it('ends exactly the processes carrying the session’s mark, and itself survives to exit 0', async () => {
    const uid = session().metadata.uid!;
    const marked = run({ CAIRN_DEBUG_SESSION: uid });
    const otherSession = run({ CAIRN_DEBUG_SESSION: `${uid.slice(0, -1)}0` });
    const unmarked = run({});
    const [command, ...args] = endProcessCommand(session());
    const killer = spawn(command, args, {
      env: { ...process.env, CAIRN_DEBUG_SESSION: uid },
      stdio: 'ignore',
    });
    const code = await new Promise(resolve => killer.once('exit', resolve));
    expect(code).toBe(0);
    expect(await marked.exited).toBe('SIGHUP');
    expect(otherSession.child.exitCode).toBeNull();
    expect(otherSession.child.signalCode).toBeNull();
    expect(unmarked.child.signalCode).toBeNull();
    otherSession.child.kill();
    unmarked.child.kill();
    await Promise.all([otherSession.exited, unmarked.exited]);
  });
});
