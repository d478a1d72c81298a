/*
 * Containers in their own mount, UTS, IPC and PID namespaces (and a user
 * namespace where the kernel allows one), through bubblewrap (Debian's
 * `bubblewrap` package, the `bwrap` program).
 *
 * A container's root is its own directory on disk (so what it writes to `/`
 * or `/tmp` stays between its main process and `kubectl exec`), into which
 * the host's top-level directories are bound as they are (the container's
 * programs are the host's), except /tmp (the container's own), /proc (of its
 * PID namespace), /dev (a minimal one) and /sys (read-only). Hidden
 * directories (the dev cluster's state, the user's home) are covered by an
 * empty tmpfs. Volumes are bound at their absolute mountPath; where a
 * mountPath lies in a host directory that lacks it (/var/run/secrets/…), that
 * directory is rebuilt as a tmpfs holding binds of the host's entries, so the
 * mount point is made in the sandbox and never on the host.
 *
 * The network is the host's: each pod has its own loopback address instead.
 */
import { spawnSync } from 'node:child_process';
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { posix } from 'node:path';

/** Host directories a container does not get from the host. */
const OWN_TOP_LEVEL = new Set(['proc', 'dev', 'tmp', 'sys']);

/** What a sandbox needs to know of the host's file system (a fake one in tests). */
export interface HostFileSystem {
  kind(path: string): 'dir' | 'file' | 'symlink' | undefined;
  readlink(path: string): string;
  readdir(path: string): string[];
}

export const hostFileSystem: HostFileSystem = {
  kind(path) {
    try {
      const stat = lstatSync(path);
      if (stat.isSymbolicLink()) return 'symlink';
      return stat.isDirectory() ? 'dir' : 'file';
    } catch {
      return undefined;
    }
  },
  readlink: path => readlinkSync(path),
  readdir: path => readdirSync(path).sort(),
};

/**
 * `fs` with its answers kept, for the many lookups of one container start
 * (each candidate of PATH resolves every mount's target again, one lstat
 * per path component): a start of a Job's short container spent a seventh
 * of its time in them. Not to be kept beyond that start.
 */
export function memoizedHostFileSystem(
  fs: HostFileSystem = hostFileSystem,
): HostFileSystem {
  const kinds = new Map<string, ReturnType<HostFileSystem['kind']>>();
  const links = new Map<string, string>();
  const listings = new Map<string, string[]>();
  return {
    kind(path) {
      if (!kinds.has(path)) kinds.set(path, fs.kind(path));
      return kinds.get(path);
    },
    readlink(path) {
      let target = links.get(path);
      if (target === undefined) {
        target = fs.readlink(path);
        links.set(path, target);
      }
      return target;
    },
    readdir(path) {
      let names = listings.get(path);
      if (!names) {
        names = fs.readdir(path);
        listings.set(path, names);
      }
      return names;
    },
  };
}

export interface SandboxMount {
  /** The host file or directory. */
  source: string;
  /** Its absolute path in the container. */
  target: string;
  readOnly?: boolean;
}

export interface SandboxSpec {
  /** The host directory that is the container's `/`. */
  rootDir: string;
  hostname: string;
  /** Absolute, in the container. */
  workingDir: string;
  mounts: SandboxMount[];
  /** Host directories the container sees empty. */
  hidden: string[];
  /** Host directories inside hidden ones that it sees after all (the checkout, for programs of this host). */
  shown: string[];
}

export interface SandboxProcess {
  /**
   * Its own PID namespace. Not for a process on a terminal: a shell there
   * hands the terminal back to its parent's process group on exit, which a
   * PID namespace hides from it (dash then exits 2). Such a process sees the
   * host's /dev/pts, where its terminal is.
   */
  pidNamespace: boolean;
}

export interface SandboxPlan {
  /** bwrap's options; the program and its arguments follow `--`. */
  args: string[];
  /** Symlinks of the host's `/` to make in rootDir (bwrap's --symlink refuses an existing one). */
  rootSymlinks: Array<{ path: string; target: string }>;
}

/** `path` with the host's symlinks resolved as far as it exists on the host (within host-bound directories). */
export function resolveOnHost(path: string, fs: HostFileSystem): string {
  let parts = path.split('/').filter(Boolean);
  let resolved = '/';
  for (let hops = 0, i = 0; i < parts.length; i++) {
    if (resolved === '/' && OWN_TOP_LEVEL.has(parts[i])) {
      return posix.join('/', ...parts);
    }
    const next = posix.join(resolved, parts[i]);
    const kind = fs.kind(next);
    if (kind === 'symlink' && hops++ < 40) {
      const target = fs.readlink(next);
      const base = target.startsWith('/') ? '/' : resolved;
      parts = [
        ...posix.join(base, target).split('/').filter(Boolean),
        ...parts.slice(i + 1),
      ];
      resolved = '/';
      i = -1;
      continue;
    }
    if (kind !== 'dir') return posix.join(next, ...parts.slice(i + 1));
    resolved = next;
  }
  return resolved;
}

function within(path: string, directory: string): boolean {
  return path === directory || path.startsWith(`${directory}/`);
}

/** The bwrap options that run a container as `spec` says. */
export function planSandbox(
  spec: SandboxSpec,
  process: SandboxProcess = { pidNamespace: true },
  fs: HostFileSystem = hostFileSystem,
): SandboxPlan {
  const hidden = spec.hidden.filter(path => fs.kind(path) === 'dir');
  const mounts = spec.mounts.map(mount => ({
    ...mount,
    target: resolveOnHost(mount.target, fs),
  }));
  // Host directories that lack a mount point a mount needs: rebuilt as a tmpfs.
  const rebuilt = new Set<string>();
  for (const { target } of mounts) {
    let directory = '/';
    for (const part of target.split('/').filter(Boolean)) {
      if (directory === '/' && OWN_TOP_LEVEL.has(part)) break;
      const next = posix.join(directory, part);
      if (hidden.some(h => within(next, h))) break;
      const kind = fs.kind(next);
      if (kind === undefined) {
        // The container's own root can take a new mount point.
        if (directory !== '/') rebuilt.add(directory);
        break;
      }
      if (kind !== 'dir') break;
      directory = next;
    }
  }
  // A rebuilt directory's parents are rebuilt too, so its tmpfs is not on the host.
  for (const directory of [...rebuilt]) {
    for (
      let parent = posix.dirname(directory);
      parent !== '/';
      parent = posix.dirname(parent)
    )
      rebuilt.add(parent);
  }

  const args = ['--bind', spec.rootDir, '/'];
  const rootSymlinks: SandboxPlan['rootSymlinks'] = [];
  const entry = (path: string) => {
    const kind = fs.kind(path);
    if (kind === 'symlink') {
      if (posix.dirname(path) === '/')
        rootSymlinks.push({ path, target: fs.readlink(path) });
      else args.push('--symlink', fs.readlink(path), path);
    } else if (kind === 'dir' && rebuilt.has(path)) {
      args.push('--tmpfs', path);
      for (const child of fs.readdir(path)) entry(posix.join(path, child));
    } else if (kind) {
      args.push('--bind', path, path);
    }
  };
  for (const child of fs.readdir('/')) {
    if (!OWN_TOP_LEVEL.has(child)) entry(posix.join('/', child));
  }
  if (process.pidNamespace) args.push('--proc', '/proc');
  else args.push('--bind', '/proc', '/proc');
  args.push('--dev', '/dev');
  // The host's terminals, so a process on one finds its name (/dev/pts/N, not /dev/console).
  if (!process.pidNamespace && fs.kind('/dev/pts') === 'dir')
    args.push('--dev-bind', '/dev/pts', '/dev/pts');
  if (fs.kind('/sys') === 'dir') args.push('--ro-bind', '/sys', '/sys');
  const visible = (path: string) =>
    !OWN_TOP_LEVEL.has(path.split('/').filter(Boolean)[0] ?? '');
  // Shown directories the container would not see: inside hidden ones, or
  // in /tmp, which is the container's own (a checkout cloned into /tmp).
  const shown = spec.shown.filter(path =>
    visible(path) ? hidden.some(h => within(path, h)) : within(path, '/tmp'),
  );
  // Hidden directories inside shown ones (the state directory in the checkout) are hidden after those are shown.
  const inShown = (path: string) =>
    shown.some(directory => within(path, directory) && path !== directory);
  for (const path of hidden) {
    if (visible(path) && !inShown(path)) args.push('--tmpfs', path);
  }
  for (const path of shown) args.push('--bind', path, path);
  for (const path of hidden) {
    if (inShown(path)) args.push('--tmpfs', path);
  }
  for (const { source, target, readOnly } of mounts)
    args.push(readOnly ? '--ro-bind' : '--bind', source, target);
  args.push(
    '--unshare-user-try',
    '--unshare-ipc',
    ...(process.pidNamespace ? ['--unshare-pid'] : []),
    '--unshare-uts',
    '--unshare-cgroup-try',
    '--hostname',
    spec.hostname,
    '--die-with-parent',
    '--chdir',
    spec.workingDir,
  );
  return { args, rootSymlinks };
}

/**
 * The host path of a path in the container, for finding its programs
 * before starting it: through the mount that holds it, else in the
 * container's root (its own /tmp and what it made), else the host's.
 */
export function hostPathOf(
  spec: Pick<SandboxSpec, 'rootDir' | 'mounts' | 'hidden' | 'shown'>,
  path: string,
  fs: HostFileSystem = hostFileSystem,
): string | undefined {
  const resolved = resolveOnHost(path, fs);
  const mount = spec.mounts
    .map(m => ({ ...m, target: resolveOnHost(m.target, fs) }))
    .filter(m => within(resolved, m.target))
    .sort((a, b) => b.target.length - a.target.length)[0];
  if (mount)
    return posix.join(mount.source, posix.relative(mount.target, resolved));
  const hiddenBy = (paths: string[]) =>
    paths
      .filter(p => within(resolved, p))
      .sort((a, b) => b.length - a.length)[0];
  const shown = hiddenBy(spec.shown);
  const top = resolved.split('/').filter(Boolean)[0] ?? '';
  // A shown directory in /tmp is bound into the container's own /tmp.
  const shownInTmp = top === 'tmp' && shown !== undefined;
  if (
    (OWN_TOP_LEVEL.has(top) && !shownInTmp) ||
    fs.kind(`/${top}`) === undefined
  )
    return posix.join(spec.rootDir, resolved);
  const hidden = hiddenBy(spec.hidden);
  // Hidden unless a shown directory inside the hidden one holds it (and no hidden one inside that).
  if (hidden && !(shown && shown.length > hidden.length)) return undefined;
  return resolved;
}

/** Whether pods can be isolated here, and if not, why. */
export type IsolationSupport =
  | { available: true; program: string }
  | { available: false; reason: string; message: string };

/** Looks for bwrap and tries it once: missing, or refused by the kernel (no user namespaces). */
export function detectIsolation(program = 'bwrap'): IsolationSupport {
  if (process.env.CAIRN_POD_ISOLATION === 'off')
    return {
      available: false,
      reason: 'Disabled',
      message:
        "CAIRN_POD_ISOLATION=off: containers run as plain host processes, sharing the host's files, hostname and /tmp",
    };
  const trial = spawnSync(
    program,
    [
      '--ro-bind',
      '/',
      '/',
      '--unshare-user-try',
      '--unshare-ipc',
      '--unshare-pid',
      '--unshare-uts',
      '--',
      'true',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 },
  );
  const error = trial.error as NodeJS.ErrnoException | undefined;
  if (error?.code === 'ENOENT') {
    return {
      available: false,
      reason: 'BubblewrapMissing',
      message:
        "bwrap (Debian package bubblewrap) is not installed: containers run as plain host processes, sharing the host's files, hostname and /tmp",
    };
  }
  if (error || trial.status !== 0) {
    const why = error?.message ?? trial.stderr.toString().trim();
    return {
      available: false,
      reason: 'NamespacesUnavailable',
      message: `bwrap cannot create namespaces here (${why}): containers run as plain host processes, sharing the host's files, hostname and /tmp`,
    };
  }
  return { available: true, program };
}

/** What the dev cluster says at startup about its pods' isolation. */
export function isolationSummary(
  isolation: IsolationSupport | false | undefined,
): string {
  if (isolation === undefined) return 'no workloads';
  if (isolation && isolation.available)
    return 'pods isolated (bubblewrap: own mount, UTS, IPC and PID namespaces; own loopback IP)';
  return `pods NOT isolated: ${
    isolation ? isolation.message : 'isolation turned off'
  }`;
}
