/*
 * Tekton runs a pod's steps one after another although Kubernetes starts all
 * containers at once: its entrypoint binary wraps each step, waits for the
 * previous step's post file in the shared /tekton/run volume, runs the step,
 * and writes its own post file (`.err` on failure, so later steps skip).
 * These POSIX sh scripts do the same in the dev cluster.
 *
 * Containers of the dev cluster see their volumes under their root
 * directory, their initial working directory: `/` when they are isolated,
 * the container's directory on the host when they are not (see the
 * runtime's sandbox). So the scripts map Tekton's absolute paths (/tekton…,
 * /workspace…, workspaces' mountPaths) in the step's script and arguments
 * onto that root, which changes nothing when it is `/`.
 *
 * They avoid `$(` and `$$`, which Kubernetes would expand in a command.
 */

/**
 * Writes a sed script that prefixes each absolute path of TEKTON_PATH_PREFIXES
 * (one a line) with the container root where it stands alone or starts a
 * path. Each substitution runs twice, for adjacent paths (the first match
 * consumes the character between them).
 */
const MAP_PATHS = `paths_script="$root/.tekton-paths.sed"
printf '%s\\n' "$TEKTON_PATH_PREFIXES" | while read -r prefix; do
  [ -n "$prefix" ] || continue
  rule="s#\\\\(^\\\\|[^A-Za-z0-9_.-]\\\\)$prefix\\\\($\\\\|[^A-Za-z0-9_.-]\\\\)#\\\\1$root$prefix\\\\2#g"
  printf '%s\\n%s\\n' "$rule" "$rule"
done > "$paths_script"
map_paths() {
  sed -f "$paths_script"
}`;

/** Environment the entrypoint scripts read. */
export const STEP_ENV = {
  index: 'TEKTON_STEP_INDEX',
  name: 'TEKTON_STEP_NAME',
  onError: 'TEKTON_STEP_ON_ERROR',
  timeout: 'TEKTON_STEP_TIMEOUT',
  script: 'TEKTON_STEP_SCRIPT',
  shell: 'TEKTON_STEP_SHELL',
  workingDir: 'TEKTON_STEP_WORKING_DIR',
  workspaceFiles: 'TEKTON_WORKSPACE_FILES',
  pathPrefixes: 'TEKTON_PATH_PREFIXES',
  stepCount: 'TEKTON_STEP_COUNT',
  sidecars: 'TEKTON_SIDECARS',
  sidecarName: 'TEKTON_SIDECAR_NAME',
  sidecarProbe: 'TEKTON_SIDECAR_PROBE',
} as const;

/**
 * Prepares a step's or sidecar's program. Positional arguments are its
 * command and args, or the args of its script. The script is base64 in
 * TEKTON_STEP_SCRIPT; without a shebang it runs as `#!/bin/sh` with `set -e`,
 * as in Tekton. The sh of alpine and busybox images is busybox ash, which
 * takes `[ a == b ]` and `[[ ]]` where the host's dash does not, so for them
 * (TEKTON_STEP_SHELL=ash) sh and ash shebangs run the host's bash when it has
 * one; Debian-based images' sh is dash, as the host's.
 * TEKTON_WORKSPACE_FILES lines "<file>|<variable>" write the files of
 * configMap and secret workspaces from variables the kubelet fills from the
 * object's keys (the pod carries them as emptyDir volumes). Leaves the
 * program in "$@" and the shell in its working directory.
 */
const PREPARE_PROGRAM = `${MAP_PATHS}
shell=/bin/sh
if [ "\${TEKTON_STEP_SHELL:-}" = ash ]; then
  shell=\`command -v bash || echo /bin/sh\`
fi
printf '%s\\n' "$TEKTON_WORKSPACE_FILES" | while IFS='|' read -r file variable; do
  [ -n "$file" ] || continue
  mkdir -p "\`dirname "$root$file"\`"
  eval "printf '%s' \\"\\\${$variable}\\"" > "$root$file"
done
count=$#
k=0
while [ "$k" -lt "$count" ]; do
  argument=\`printf '%s' "$1" | map_paths\`
  shift
  set -- "$@" "$argument"
  k=\`expr "$k" + 1\`
done
case "$TEKTON_STEP_WORKING_DIR" in
  /*) directory="$root$TEKTON_STEP_WORKING_DIR" ;;
  *) directory="$root/$TEKTON_STEP_WORKING_DIR" ;;
esac
mkdir -p "$directory"
if [ -n "$TEKTON_STEP_SCRIPT" ]; then
  mkdir -p "$root/tekton/scripts"
  script="$root/tekton/scripts/program"
  printf '%s' "$TEKTON_STEP_SCRIPT" | base64 -d > "$script.source"
  if [ "\`head -c 2 "$script.source"\`" != '#!' ]; then
    { printf '#!/bin/sh\\nset -e\\n'; cat "$script.source"; } | map_paths > "$script.mapped"
  else
    map_paths < "$script.source" > "$script.mapped"
  fi
  sed "1s@^#![ ]*\\(/usr/bin/env[ ][ ]*\\|/bin/\\)\\(busybox[ ][ ]*\\)\\{0,1\\}a\\{0,1\\}sh\\([ ]\\|$\\)@#!$shell\\3@" "$script.mapped" > "$script"
  rm -f "$script.mapped"
  chmod +x "$script"
  set -- "$script" "$@"
fi
cd "$directory"`;

/** Waits until the last step has ended (its post file exists). */
const AWAIT_LAST_STEP = `if [ "$TEKTON_STEP_COUNT" -gt 0 ]; then
  last="$run/\`expr "$TEKTON_STEP_COUNT" - 1\`"
  while [ ! -e "$last/out" ] && [ ! -e "$last/out.err" ]; do sleep 0.1; done
fi`;

/**
 * Wraps one step: waits for the sidecars (first step) or the previous step,
 * skips after a failure, runs the program (under TEKTON_STEP_TIMEOUT seconds
 * if set), and records its exit code (also in /tekton/steps/<step>/exitCode,
 * and /tekton/steps/<index> links there, as Tekton does).
 */
export const STEP_SCRIPT = `set -u
root="$PWD"
run="$root/tekton/run"
i="$TEKTON_STEP_INDEX"
mkdir -p "$run/$i"
if [ "$i" -eq 0 ]; then
  printf '%s\\n' "$TEKTON_SIDECARS" | while read -r sidecar; do
    [ -n "$sidecar" ] || continue
    while [ ! -e "$run/sidecar-$sidecar.ready" ]; do sleep 0.1; done
  done
else
  previous="$run/\`expr "$i" - 1\`"
  while [ ! -e "$previous/out" ] && [ ! -e "$previous/out.err" ]; do sleep 0.1; done
  if [ -e "$previous/out.err" ]; then
    echo skipped > "$run/$i/exitCode"
    touch "$run/$i/out.err"
    exit 1
  fi
fi
${PREPARE_PROGRAM}
mkdir -p "$root/tekton/steps/$TEKTON_STEP_NAME/results"
if [ "$#" -gt 0 ] && [ -n "$TEKTON_STEP_TIMEOUT" ]; then
  timeout "$TEKTON_STEP_TIMEOUT" "$@"
elif [ "$#" -gt 0 ]; then
  "$@"
fi
code=$?
echo "$code" > "$run/$i/exitCode"
mkdir -p "$root/tekton/steps/$TEKTON_STEP_NAME"
echo "$code" > "$root/tekton/steps/$TEKTON_STEP_NAME/exitCode"
ln -s "$TEKTON_STEP_NAME" "$root/tekton/steps/$i"
if [ -n "$TEKTON_STEP_TIMEOUT" ] && [ "$code" -eq 124 ]; then
  echo TimeoutExceeded > "$run/$i/reason"
fi
if [ "$code" -ne 0 ] && [ "$TEKTON_STEP_ON_ERROR" != continue ]; then
  touch "$run/$i/out.err"
  exit "$code"
fi
touch "$run/$i/out"
exit 0
`;

/**
 * Wraps a sidecar of the Task: starts its program, tells the first step it
 * is ready (once its exec startup or readiness probe, TEKTON_SIDECAR_PROBE as
 * an sh script, succeeds: the kubelet runs no probes), and stops it once the
 * steps are done (Tekton stops sidecars then).
 */
export const SIDECAR_SCRIPT = `set -u
root="$PWD"
run="$root/tekton/run"
${PREPARE_PROGRAM}
program=""
if [ "$#" -gt 0 ]; then
  "$@" &
  program=$!
fi
if [ -n "$TEKTON_SIDECAR_PROBE" ]; then
  probe="$root/tekton/scripts/probe"
  mkdir -p "$root/tekton/scripts"
  printf '%s' "$TEKTON_SIDECAR_PROBE" | base64 -d | map_paths > "$probe"
  until sh "$probe"; do sleep 0.2; done
fi
touch "$run/sidecar-$TEKTON_SIDECAR_NAME.ready"
${AWAIT_LAST_STEP}
if [ -n "$program" ]; then kill "$program" 2>/dev/null; fi
exit 0
`;

/**
 * The results sidecar (Tekton's `results-from: sidecar-logs`): once the last
 * step has ended it prints each result file and each step's exit code to its
 * log, which the controller reads through the API (pods/log), as Tekton's
 * controller reads its `sidecar-tekton-log-results` container.
 * Lines: "result <name> <base64 value>", "stepResult <step container>/<name>
 * <base64 value>", "exitCode <step index> <code|skipped>"
 * and "reason <step index> TimeoutExceeded".
 */
export const RESULTS_SCRIPT = `set -u
root="$PWD"
run="$root/tekton/run"
count="$TEKTON_STEP_COUNT"
${AWAIT_LAST_STEP}
for file in "$root/tekton/results"/*; do
  [ -f "$file" ] || continue
  printf 'result %s %s\\n' "\`basename "$file"\`" "\`base64 < "$file" | tr -d '\\n'\`"
done
for file in "$root/tekton/steps"/step-*/results/*; do
  [ -f "$file" ] || continue
  step=\`dirname "$file"\`
  step=\`dirname "$step"\`
  printf 'stepResult %s/%s %s\\n' "\`basename "$step"\`" "\`basename "$file"\`" "\`base64 < "$file" | tr -d '\\n'\`"
done
k=0
while [ "$k" -lt "$count" ]; do
  printf 'exitCode %s %s\\n' "$k" "\`cat "$run/$k/exitCode" 2>/dev/null\`"
  if [ -e "$run/$k/reason" ]; then
    printf 'reason %s %s\\n' "$k" "\`cat "$run/$k/reason"\`"
  fi
  k=\`expr "$k" + 1\`
done
`;

export const RESULTS_CONTAINER = 'sidecar-tekton-log-results';

export interface ResultsLog {
  results: Map<string, string>;
  /** Step results by `<step container>/<name>`. */
  stepResults: Map<string, string>;
  /** Per step index: its exit code, or 'skipped'. */
  exitCodes: Map<number, number | 'skipped'>;
  /** Per step index: why it ended, when not by itself (TimeoutExceeded). */
  reasons: Map<number, string>;
}

/** Reads the results sidecar's log. */
export function parseResultsLog(log: string): ResultsLog {
  const parsed: ResultsLog = {
    results: new Map(),
    stepResults: new Map(),
    exitCodes: new Map(),
    reasons: new Map(),
  };
  for (const line of log.split('\n')) {
    const [kind, key, value = ''] = line.trim().split(' ');
    if (kind === 'result' && key)
      parsed.results.set(key, Buffer.from(value, 'base64').toString());
    if (kind === 'stepResult' && key)
      parsed.stepResults.set(key, Buffer.from(value, 'base64').toString());
    if (kind === 'exitCode' && key && value) {
      parsed.exitCodes.set(
        Number(key),
        value === 'skipped' ? 'skipped' : Number(value),
      );
    }
    if (kind === 'reason' && key && value)
      parsed.reasons.set(Number(key), value);
  }
  return parsed;
}
