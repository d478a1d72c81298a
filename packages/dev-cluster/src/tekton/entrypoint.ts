/*
 * Tekton runs a pod's steps one after another although Kubernetes starts all
 * containers at once: its entrypoint binary wraps each step, waits for the
 * previous step's post file in the shared /tekton/run volume, runs the step,
 * and writes its own post file (`.err` on failure, so later steps skip).
 * These POSIX sh scripts do the same in the dev cluster.
 *
 * Containers of the dev cluster are local processes that are not chrooted:
 * a container sees its volumes under its root directory, which is its
 * initial working directory. So the scripts map Tekton's absolute paths
 * (/tekton…, /workspace…, workspaces' mountPaths) in the step's script and
 * arguments onto that root.
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

/** Environment of a step container the step script reads. */
export const STEP_ENV = {
  index: 'TEKTON_STEP_INDEX',
  onError: 'TEKTON_STEP_ON_ERROR',
  script: 'TEKTON_STEP_SCRIPT',
  workingDir: 'TEKTON_STEP_WORKING_DIR',
  workspaceLinks: 'TEKTON_WORKSPACE_LINKS',
  workspaceFiles: 'TEKTON_WORKSPACE_FILES',
  pathPrefixes: 'TEKTON_PATH_PREFIXES',
  stepCount: 'TEKTON_STEP_COUNT',
} as const;

/**
 * Wraps one step. Positional arguments are the step's program (command and
 * args), or the args of its script. The script is base64 in TEKTON_STEP_SCRIPT;
 * without a shebang it runs as `#!/bin/sh` with `set -e`, as in Tekton.
 * TEKTON_WORKSPACE_LINKS lines "<mountPath>|<directory>" link workspaces
 * backed by directories shared between pods. TEKTON_WORKSPACE_FILES lines
 * "<file>|<variable>" write the files of configMap and secret workspaces
 * from variables the kubelet fills from the object's keys (the runtime
 * does not project these volumes).
 */
export const STEP_SCRIPT = `set -u
root="$PWD"
run="$root/tekton/run"
i="$TEKTON_STEP_INDEX"
${MAP_PATHS}
mkdir -p "$run/$i"
if [ "$i" -gt 0 ]; then
  previous="$run/\`expr "$i" - 1\`"
  while [ ! -e "$previous/out" ] && [ ! -e "$previous/out.err" ]; do sleep 0.1; done
  if [ -e "$previous/out.err" ]; then
    echo skipped > "$run/$i/exitCode"
    touch "$run/$i/out.err"
    exit 1
  fi
fi
printf '%s\\n' "$TEKTON_WORKSPACE_LINKS" | while IFS='|' read -r mount target; do
  [ -n "$mount" ] || continue
  mkdir -p "$target" "\`dirname "$root$mount"\`"
  rm -rf "$root$mount"
  ln -s "$target" "$root$mount"
done
count=$#
printf '%s\\n' "$TEKTON_WORKSPACE_FILES" | while IFS='|' read -r file variable; do
  [ -n "$file" ] || continue
  mkdir -p "\`dirname "$root$file"\`"
  eval "printf '%s' \\"\\\${$variable}\\"" > "$root$file"
done
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
script=""
if [ -n "$TEKTON_STEP_SCRIPT" ]; then
  mkdir -p "$root/tekton/scripts"
  script="$root/tekton/scripts/step-$i"
  printf '%s' "$TEKTON_STEP_SCRIPT" | base64 -d > "$script.source"
  if [ "\`head -c 2 "$script.source"\`" != '#!' ]; then
    { printf '#!/bin/sh\\nset -e\\n'; cat "$script.source"; } | map_paths > "$script"
  else
    map_paths < "$script.source" > "$script"
  fi
  chmod +x "$script"
fi
cd "$directory"
if [ -n "$script" ]; then
  "$script" "$@"
elif [ "$#" -gt 0 ]; then
  "$@"
fi
code=$?
echo "$code" > "$run/$i/exitCode"
if [ "$code" -ne 0 ] && [ "$TEKTON_STEP_ON_ERROR" != continue ]; then
  touch "$run/$i/out.err"
  exit "$code"
fi
touch "$run/$i/out"
exit 0
`;

/**
 * The results sidecar (Tekton's `results-from: sidecar-logs`): once the last
 * step has ended it prints each result file and each step's exit code to its
 * log, which the controller reads through the API (pods/log), as Tekton's
 * controller reads its `sidecar-tekton-log-results` container.
 * Lines: "result <name> <base64 value>" and "exitCode <step index> <code|skipped>".
 */
export const RESULTS_SCRIPT = `set -u
root="$PWD"
run="$root/tekton/run"
count="$TEKTON_STEP_COUNT"
if [ "$count" -gt 0 ]; then
  last="$run/\`expr "$count" - 1\`"
  while [ ! -e "$last/out" ] && [ ! -e "$last/out.err" ]; do sleep 0.1; done
fi
for file in "$root/tekton/results"/*; do
  [ -f "$file" ] || continue
  printf 'result %s %s\\n' "\`basename "$file"\`" "\`base64 < "$file" | tr -d '\\n'\`"
done
k=0
while [ "$k" -lt "$count" ]; do
  printf 'exitCode %s %s\\n' "$k" "\`cat "$run/$k/exitCode" 2>/dev/null\`"
  k=\`expr "$k" + 1\`
done
`;

export const RESULTS_CONTAINER = 'sidecar-tekton-log-results';

export interface ResultsLog {
  results: Map<string, string>;
  /** Per step index: its exit code, or 'skipped'. */
  exitCodes: Map<number, number | 'skipped'>;
}

/** Reads the results sidecar's log. */
export function parseResultsLog(log: string): ResultsLog {
  const parsed: ResultsLog = { results: new Map(), exitCodes: new Map() };
  for (const line of log.split('\n')) {
    const [kind, key, value = ''] = line.trim().split(' ');
    if (kind === 'result' && key)
      parsed.results.set(key, Buffer.from(value, 'base64').toString());
    if (kind === 'exitCode' && key && value) {
      parsed.exitCodes.set(
        Number(key),
        value === 'skipped' ? 'skipped' : Number(value),
      );
    }
  }
  return parsed;
}
