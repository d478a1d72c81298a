import { ChildProcess, spawn } from 'node:child_process';
import type { Socket } from 'node:net';

/**
 * The watcher: it keeps the ids of live process groups (`+id` / `-id`
 * lines) and, when its input ends — the dev cluster's process is gone,
 * however it ended — kills the groups still listed.
 */
export const REAPER_SCRIPT = `dir=\`mktemp -d\` || exit 1
while IFS= read -r line; do
  case "$line" in
    +*) : > "$dir/\${line#+}" ;;
    -*) rm -f "$dir/\${line#-}" ;;
  esac
done
# (dash's kill takes no "--" before a negative group id.)
for group in "$dir"/*; do
  [ -e "$group" ] && kill -9 "-\${group##*/}" 2>/dev/null
done
rm -rf "$dir"`;

let watcher: ChildProcess | undefined;

function tell(line: string): void {
  if (!watcher) {
    // Detached, so a signal to the portal's process group spares it.
    watcher = spawn('/bin/sh', ['-c', REAPER_SCRIPT], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    watcher.on('error', () => {});
    watcher.stdin!.on('error', () => {});
    // Neither keeps the dev cluster's process alive.
    watcher.unref();
    (watcher.stdin as Socket).unref();
  }
  watcher.stdin!.write(`${line}\n`);
}

/**
 * Containers run as detached process groups, which outlive a dev cluster
 * that is killed (SIGKILL runs no handler: a test runner stopping the
 * portal, say) — a step's `sleep 1800` would run on. Every group the
 * runtime starts is announced here and killed by the watcher if the dev
 * cluster's process ends before the group does.
 */
export const processGroups = {
  started(pid: number | undefined): void {
    if (pid !== undefined) tell(`+${pid}`);
  },
  ended(pid: number | undefined): void {
    if (pid !== undefined) tell(`-${pid}`);
  },
};
