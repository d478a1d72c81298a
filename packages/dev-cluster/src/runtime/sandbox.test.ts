import {
  HostFileSystem,
  hostPathOf,
  isolationSummary,
  memoizedHostFileSystem,
  planSandbox,
  resolveOnHost,
  SandboxSpec,
} from './sandbox';

/** A host file system from a list of entries: directories end in `/`, symlinks are `path -> target`. */
function fakeHost(entries: string[]): HostFileSystem {
  const kinds = new Map<string, 'dir' | 'file' | 'symlink'>([['/', 'dir']]);
  const links = new Map<string, string>();
  for (const entry of entries) {
    const [path, target] = entry.split(' -> ');
    if (target !== undefined) {
      kinds.set(path, 'symlink');
      links.set(path, target);
    } else if (path.endsWith('/')) kinds.set(path.slice(0, -1), 'dir');
    else kinds.set(path, 'file');
  }
  return {
    kind: path => kinds.get(path),
    readlink: path => links.get(path)!,
    readdir: path =>
      [...kinds.keys()]
        .filter(
          p =>
            p !== '/' &&
            p.slice(0, p.lastIndexOf('/')) === (path === '/' ? '' : path),
        )
        .map(p => p.slice(p.lastIndexOf('/') + 1))
        .sort(),
  };
}

const host = fakeHost([
  '/bin -> usr/bin',
  '/etc/',
  '/etc/hosts',
  '/home/',
  '/home/dev/',
  '/home/dev/cairn/',
  '/home/dev/cairn/.dev-cluster/',
  '/dev/',
  '/dev/pts/',
  '/proc/',
  '/run/',
  '/run/lock/',
  '/sys/',
  '/tmp/',
  '/usr/',
  '/usr/bin/',
  '/usr/lib/',
  '/var/',
  '/var/lib/',
  '/var/run -> /run',
]);

const spec: SandboxSpec = {
  rootDir: '/state/pods/u/containers/c',
  hostname: 'web-0',
  workingDir: '/',
  mounts: [
    { source: '/state/pods/u/volumes/data', target: '/data' },
    {
      source: '/state/pods/u/volumes/token',
      target: '/var/run/secrets/kubernetes.io/serviceaccount',
      readOnly: true,
    },
  ],
  hidden: ['/home/dev', '/home/dev/cairn/.dev-cluster'],
  shown: ['/home/dev/cairn'],
};

describe('resolveOnHost', () => {
  it("follows the host's symlinks as far as the path exists", () => {
    expect(resolveOnHost('/var/run/secrets/x', host)).toBe('/run/secrets/x');
    expect(resolveOnHost('/bin/sh', host)).toBe('/usr/bin/sh');
    expect(resolveOnHost('/tmp/a', host)).toBe('/tmp/a');
    expect(resolveOnHost('/data/a', host)).toBe('/data/a');
  });
});

describe('planSandbox', () => {
  const { args, rootSymlinks } = planSandbox(
    spec,
    { pidNamespace: true },
    host,
  );
  const pairs = (option: string) =>
    args.flatMap((arg, i) =>
      arg === option ? [`${args[i + 1]} ${args[i + 2]}`] : [],
    );

  it("binds the host's top-level directories into the container's own root, but not /tmp, /proc, /dev", () => {
    expect(args.slice(0, 3)).toEqual(['--bind', spec.rootDir, '/']);
    expect(pairs('--bind')).toEqual(
      expect.arrayContaining(['/etc /etc', '/home /home', '/usr /usr']),
    );
    expect(pairs('--bind').join()).not.toMatch(/\/tmp|\/proc |\/dev /);
    expect(rootSymlinks).toEqual([{ path: '/bin', target: 'usr/bin' }]);
    expect(args).toEqual(expect.arrayContaining(['--proc', '/proc']));
    expect(args.join(' ')).toContain('--ro-bind /sys /sys');
  });

  it('rebuilds as a tmpfs each host directory that lacks a mount point, so none is made on the host', () => {
    // /run has no secrets/: /run becomes a tmpfs holding binds of its entries.
    expect(args.join(' ')).toContain('--tmpfs /run --bind /run/lock /run/lock');
    expect(pairs('--bind')).not.toContain('/run /run');
    expect(pairs('--ro-bind')).toContain(
      '/state/pods/u/volumes/token /run/secrets/kubernetes.io/serviceaccount',
    );
    // /data is new at the root, which is the container's own directory.
    expect(pairs('--bind')).toContain('/state/pods/u/volumes/data /data');
    expect(args.join(' ')).not.toContain('--tmpfs /var');
  });

  it('hides the hidden directories, shows the shown ones inside them, and hides hidden ones inside those again', () => {
    const order = args.filter(
      (arg, i) =>
        ['--tmpfs', '--bind'].includes(args[i - 1]) &&
        arg.startsWith('/home/dev'),
    );
    // Each --tmpfs's path and each --bind's source, in order.
    expect(order).toEqual([
      '/home/dev',
      '/home/dev/cairn',
      '/home/dev/cairn/.dev-cluster',
    ]);
  });

  it('shows a checkout cloned into /tmp inside the container’s own /tmp, its state directory still hidden', () => {
    const inTmp = fakeHost([
      '/etc/',
      '/tmp/',
      '/tmp/ci/',
      '/tmp/ci/.dev-cluster/',
      '/tmp/other/',
      '/usr/',
    ]);
    const plan = planSandbox(
      {
        ...spec,
        mounts: [],
        hidden: ['/tmp/ci/.dev-cluster', '/tmp/other'],
        shown: ['/tmp/ci'],
      },
      { pidNamespace: true },
      inTmp,
    );
    const tail = plan.args.join(' ');
    expect(tail).toContain(
      '--bind /tmp/ci /tmp/ci --tmpfs /tmp/ci/.dev-cluster',
    );
    // Nothing else of the host's /tmp.
    expect(tail).not.toContain('/tmp/other');
    expect(tail).not.toMatch(/--bind \/tmp /);
    // The kubelet finds the checkout's programs where the container does.
    const paths = {
      ...spec,
      hidden: ['/tmp/ci/.dev-cluster'],
      shown: ['/tmp/ci'],
    };
    expect(hostPathOf(paths, '/tmp/ci/bin/node', inTmp)).toBe(
      '/tmp/ci/bin/node',
    );
    expect(
      hostPathOf(paths, '/tmp/ci/.dev-cluster/key', inTmp),
    ).toBeUndefined();
    expect(hostPathOf(paths, '/tmp/other/x', inTmp)).toBe(
      `${spec.rootDir}/tmp/other/x`,
    );
  });

  it('gives the container its own namespaces and hostname, and a PID namespace only off a terminal', () => {
    expect(args.join(' ')).toContain(
      '--unshare-user-try --unshare-ipc --unshare-pid --unshare-uts --unshare-cgroup-try --hostname web-0 --die-with-parent --chdir /',
    );
    const onTerminal = planSandbox(spec, { pidNamespace: false }, host).args;
    expect(onTerminal).not.toContain('--unshare-pid');
    expect(onTerminal.join(' ')).toContain('--bind /proc /proc');
    expect(onTerminal.join(' ')).toContain('--dev-bind /dev/pts /dev/pts');
  });
});

describe('hostPathOf', () => {
  it('finds a path of the container on the host: in a mount, in its root, on the host, or nowhere when hidden', () => {
    expect(hostPathOf(spec, '/data/x', host)).toBe(
      '/state/pods/u/volumes/data/x',
    );
    expect(hostPathOf(spec, '/tmp/x', host)).toBe(`${spec.rootDir}/tmp/x`);
    expect(hostPathOf(spec, '/app/run', host)).toBe(`${spec.rootDir}/app/run`);
    expect(hostPathOf(spec, '/bin/sh', host)).toBe('/usr/bin/sh');
    expect(hostPathOf(spec, '/home/dev/.ssh/id', host)).toBeUndefined();
    expect(hostPathOf(spec, '/home/dev/cairn/bin/x', host)).toBe(
      '/home/dev/cairn/bin/x',
    );
    expect(
      hostPathOf(spec, '/home/dev/cairn/.dev-cluster/pki/ca.key', host),
    ).toBeUndefined();
  });
});

describe('memoizedHostFileSystem', () => {
  it('answers as the host does, asking it once per path', () => {
    const asked: string[] = [];
    const counting: HostFileSystem = {
      kind: path => {
        asked.push(`kind ${path}`);
        return host.kind(path);
      },
      readlink: path => {
        asked.push(`readlink ${path}`);
        return host.readlink(path);
      },
      readdir: path => {
        asked.push(`readdir ${path}`);
        return host.readdir(path);
      },
    };
    const fs = memoizedHostFileSystem(counting);
    const paths = ['/data/x', '/bin/sh', '/home/dev/.ssh/id', '/nowhere'];
    for (let round = 0; round < 2; round++)
      expect(paths.map(path => hostPathOf(spec, path, fs))).toEqual(
        paths.map(path => hostPathOf(spec, path, host)),
      );
    expect(planSandbox(spec, undefined, fs)).toEqual(
      planSandbox(spec, undefined, host),
    );
    expect(asked.length).toBe(new Set(asked).size);
  });
});

describe('isolationSummary', () => {
  it('says at startup whether pods are isolated, and why not', () => {
    expect(isolationSummary({ available: true, program: 'bwrap' })).toMatch(
      /^pods isolated/,
    );
    expect(
      isolationSummary({
        available: false,
        reason: 'BubblewrapMissing',
        message: 'bwrap is not installed',
      }),
    ).toBe('pods NOT isolated: bwrap is not installed');
  });
});
