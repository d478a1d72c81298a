import path from 'node:path';
import type { V1Container, V1Pod, V1Volume } from '@kubernetes/client-node';
import {
  parseResultsLog,
  RESULTS_CONTAINER,
  RESULTS_SCRIPT,
  ResultsLog,
  SIDECAR_SCRIPT,
  STEP_ENV,
  STEP_SCRIPT,
} from './entrypoint';
import { parseDuration } from './duration';
import {
  childName,
  LABELS,
  MANAGED_BY_TEKTON,
  ownerReference,
  propagatedMetadata,
} from './labels';
import {
  Replacements,
  resolveParams,
  substituteDeep,
  substituteParamValue,
  typeOfValue,
} from './substitution';
import type {
  Condition,
  KeyItem,
  ObjectVolumeSource,
  RunResult,
  Sidecar,
  Step,
  StepActionSpec,
  StepState,
  TaskRun,
  TaskRunStatus,
  TaskSpec,
  VolumeMount,
  WorkspaceBinding,
} from './types';

/*
 * A TaskRun's pod and status, as pure functions: the TaskSpec with the
 * run's params, context and paths substituted; the pod with one `step-<name>`
 * container per step, run in order by the entrypoint scripts; and the
 * TaskRun's status read back from the pod and its results sidecar's log.
 */

/** The name of a step's container (pkg/pod: unnamed steps are `step-unnamed-<i>`). */
export function stepContainerName(step: Step, index: number): string {
  return `step-${step.name ?? `unnamed-${index}`}`;
}

/** The name of the pod of a TaskRun's attempt (retries get `-retry<n>`). */
export function podNameFor(taskRun: TaskRun): string {
  const retries = taskRun.status?.retriesStatus?.length ?? 0;
  return childName(
    taskRun.metadata.name!,
    retries ? `-pod-retry${retries}` : '-pod',
  );
}

/** Where a workspace is mounted in the steps. */
export function workspaceMountPath(spec: TaskSpec, name: string): string {
  return (
    spec.workspaces?.find(w => w.name === name)?.mountPath ??
    `/workspace/${name}`
  );
}

/**
 * A step that refers to a StepAction, as Tekton runs it: the action's
 * container fields (its env after the step's own, which the stepTemplate
 * gave), with the action's params from the step's params (objects merged
 * with the action's defaults; a value of another type leaves the default).
 */
export function applyStepAction(step: Step, action: StepActionSpec): Step {
  const given = new Map((step.params ?? []).map(p => [p.name, p.value]));
  const replacements: Replacements = {};
  for (const param of action.params ?? []) {
    const type =
      param.type ??
      (param.default !== undefined ? typeOfValue(param.default) : 'string');
    let value = given.get(param.name);
    if (value === undefined || typeOfValue(value) !== type)
      value = param.default;
    else if (type === 'object' && typeof param.default === 'object')
      value = { ...(param.default as object), ...(value as object) };
    if (value !== undefined) replacements[`params.${param.name}`] = value;
  }
  const { params: _params, ...container } = substituteDeep(
    action,
    replacements,
  );
  const { ref: _ref, params: _stepParams, ...own } = step;
  const env = [
    ...(own.env ?? []).filter(
      e => !(container.env ?? []).some(a => a.name === e.name),
    ),
    ...(container.env ?? []),
  ];
  return {
    ...own,
    ...container,
    ...(env.length ? { env } : {}),
    name: own.name,
  };
}

/** A step with `$(step.results.<r>.path)` substituted: files under /tekton/steps/<step>/results. */
function withStepResultPaths(step: Step, index: number): Step {
  if (!step.results?.length) return step;
  const directory = `/tekton/steps/${stepContainerName(step, index)}/results`;
  return substituteDeep(
    step,
    Object.fromEntries(
      step.results.map(r => [
        `step.results.${r.name}.path`,
        `${directory}/${r.name}`,
      ]),
    ),
  );
}

/** Steps merged with the stepTemplate (the step's fields win; env merges by name, volumeMounts by mountPath). */
export function applyStepTemplate(spec: TaskSpec): Step[] {
  const template = spec.stepTemplate ?? {};
  return (spec.steps ?? []).map(step => {
    const env = [...(template.env ?? [])].filter(
      e => !(step.env ?? []).some(own => own.name === e.name),
    );
    const merged: Step = { ...template, ...step };
    const allEnv = [...env, ...(step.env ?? [])];
    if (allEnv.length) merged.env = allEnv;
    const mounts = [
      ...(template.volumeMounts ?? []).filter(
        m =>
          !(step.volumeMounts ?? []).some(own => own.mountPath === m.mountPath),
      ),
      ...(step.volumeMounts ?? []),
    ];
    if (mounts.length) merged.volumeMounts = mounts;
    return merged;
  });
}

/**
 * The TaskSpec a TaskRun runs: params (with defaults; undeclared given params
 * propagate), context variables, `$(results.<r>.path)` and
 * `$(workspaces.<w>.path|bound|claim|volume)` substituted.
 * Throws ParamError when params are missing or mistyped.
 */
export function resolveTaskSpec(
  taskRun: TaskRun,
  spec: TaskSpec,
  taskName: string,
): TaskSpec {
  const params = resolveParams(
    spec.params,
    taskRun.spec.params,
    `TaskRun ${taskRun.metadata.namespace}/${taskRun.metadata.name}`,
  );
  const replacements: Replacements = {
    ...params,
    // Tekton still substitutes the older form `$(inputs.params.x)` in Tasks.
    ...Object.fromEntries(
      Object.entries(params).map(([key, value]) => [`inputs.${key}`, value]),
    ),
    'context.taskRun.name': taskRun.metadata.name!,
    'context.taskRun.namespace': taskRun.metadata.namespace ?? 'default',
    'context.taskRun.uid': taskRun.metadata.uid ?? '',
    'context.task.name': taskName,
    'context.task.retry-count': String(
      taskRun.status?.retriesStatus?.length ?? 0,
    ),
  };
  for (const result of spec.results ?? [])
    replacements[
      `results.${result.name}.path`
    ] = `/tekton/results/${result.name}`;
  const bindings = new Map(
    (taskRun.spec.workspaces ?? []).map(w => [w.name, w]),
  );
  (spec.steps ?? []).forEach((step, index) => {
    const name = stepContainerName(step, index);
    replacements[
      `steps.${name}.exitCode.path`
    ] = `/tekton/steps/${name}/exitCode`;
  });
  // Bound but undeclared workspaces are propagated ones (inline specs).
  const workspaceNames = new Set([
    ...(spec.workspaces ?? []).map(w => w.name),
    ...bindings.keys(),
  ]);
  for (const workspace of workspaceNames) {
    const binding = bindings.get(workspace);
    const key = `workspaces.${workspace}`;
    replacements[`${key}.path`] = binding
      ? workspaceMountPath(spec, workspace)
      : '';
    replacements[`${key}.bound`] = String(Boolean(binding));
    replacements[`${key}.claim`] =
      binding?.persistentVolumeClaim?.claimName ?? '';
    replacements[`${key}.volume`] = binding
      ? workspaceVolumeName(workspace)
      : '';
  }
  return {
    ...substituteDeep(spec, replacements),
    // A StepAction step's params pass arrays and objects whole.
    steps: applyStepTemplate(spec).map(({ params: stepParams, ...step }) => ({
      ...substituteDeep(step, replacements),
      ...(stepParams
        ? {
            params: stepParams.map(p => ({
              ...p,
              value: substituteParamValue(p.value, replacements),
            })),
          }
        : {}),
    })),
  };
}

function workspaceVolumeName(workspace: string): string {
  return `ws-${workspace}`
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 63);
}

export interface PodBuildOptions {
  /**
   * Directory holding the volumes of PersistentVolumeClaim workspaces,
   * `<dir>/<namespace>/<claim>`: the dev cluster's stand-in for a volume that
   * outlives pods and is shared by the TaskRuns that bind it.
   */
  claimsDir: string;
  /** The Task's name, for the tekton.dev/task label (taskRef runs). */
  taskName?: string;
  /**
   * The keys of the ConfigMaps and Secrets that workspaces and volumes
   * project without items (by `objectKey`), which the controller reads
   * through the API; their files are written from variables the kubelet
   * resolves.
   */
  objectKeys?: Record<string, string[]>;
}

type ObjectKind = 'configMap' | 'secret';

/** How `PodBuildOptions.objectKeys` names a ConfigMap or Secret. */
export function objectKey(kind: ObjectKind, name: string): string {
  return `${kind}/${name}`;
}

/** The ConfigMaps and Secrets a volume source projects, with the items it picks. */
export function projectedObjects(
  source: ObjectVolumeSource,
): Array<{ kind: ObjectKind; name: string; items?: KeyItem[] }> {
  const objects: Array<{ kind: ObjectKind; name: string; items?: KeyItem[] }> =
    [];
  if (source.configMap)
    objects.push({ kind: 'configMap', ...source.configMap });
  if (source.secret) {
    const { secretName, items } = source.secret;
    objects.push({ kind: 'secret', name: secretName, items });
  }
  for (const projected of source.projected?.sources ?? []) {
    if (projected.configMap)
      objects.push({ kind: 'configMap', ...projected.configMap });
    if (projected.secret) objects.push({ kind: 'secret', ...projected.secret });
  }
  return objects;
}

/** The directory a PVC-backed workspace binding resolves to. */
export function claimDirectory(
  claimsDir: string,
  namespace: string,
  binding: WorkspaceBinding,
): string {
  return path.join(
    claimsDir,
    namespace,
    binding.persistentVolumeClaim!.claimName,
    binding.subPath ?? '',
  );
}

/** The files a volume source projects (its items, or one per key) and where their content comes from. */
function keyFiles(
  source: ObjectVolumeSource,
  objectKeys: Record<string, string[]> = {},
): Array<{ file: string; valueFrom: object }> {
  return projectedObjects(source).flatMap(({ kind, name, items }) =>
    (items?.length
      ? items
      : (objectKeys[objectKey(kind, name)] ?? []).map(key => ({
          key,
          path: key,
        }))
    ).map(({ key, path: file }) => ({
      file,
      valueFrom:
        kind === 'configMap'
          ? { configMapKeyRef: { name, key } }
          : { secretKeyRef: { name, key } },
    })),
  );
}

/** The image's repository name: `alpine` of `mirror.gcr.io/alpine:3.20`. */
function repositoryOf(image: string | undefined): string {
  return (image ?? '').split('/').pop()?.split(/[@:]/)[0] ?? '';
}

/**
 * Which sh the image has: busybox ash in alpine and busybox images (also
 * `node:22-alpine` and the like), else dash or bash as in Debian-based ones.
 */
export function imageShell(image: string | undefined): 'ash' | 'sh' {
  const repository = repositoryOf(image);
  const tag = (image ?? '').split('/').pop()?.split(/[@:]/)[1] ?? '';
  return ['alpine', 'busybox'].includes(repository) || /alpine/.test(tag)
    ? 'ash'
    : 'sh';
}

/**
 * The command of a container that names none. Tekton reads it from the
 * image's config in its registry; the dev cluster pulls no images and knows
 * only the base images whose command is their shell.
 */
function imageCommand(program: Sidecar): string[] {
  const repository = repositoryOf(program.image);
  // The bash image's docker-entrypoint.sh runs bash for options, else the args.
  if (repository === 'bash')
    return !program.args?.length || program.args[0].startsWith('-')
      ? ['bash']
      : [];
  return ['busybox', 'alpine', 'ubuntu', 'debian', 'fedora'].includes(
    repository,
  )
    ? ['sh']
    : [];
}

type ExecProbe = { exec?: { command?: string[] } } | undefined;

/** A sidecar's exec startup (else readiness) probe as an sh script, base64. */
function probeScript(sidecar: Sidecar): string {
  const probe =
    (sidecar.startupProbe as ExecProbe) ??
    (sidecar.readinessProbe as ExecProbe);
  const command = probe?.exec?.command;
  if (!command?.length) return '';
  const quoted = command.map(arg => `'${arg.replace(/'/g, `'\\''`)}'`);
  return Buffer.from(`${quoted.join(' ')}\n`).toString('base64');
}

const RUN_VOLUME = 'tekton-internal-run';
const RESULTS_VOLUME = 'tekton-internal-results';
/** Tekton's /tekton/steps: each step's exit code, by name and by index. */
const STEPS_VOLUME = 'tekton-internal-steps';
/** Tekton's /tekton/home, shared by the steps. */
const HOME_VOLUME = 'tekton-internal-home';
/** Tekton's /workspace: the steps' shared working directory. */
const WORKSPACE_VOLUME = 'tekton-internal-workspace';

/** The pod of a TaskRun's current attempt. */
export function buildPod(
  taskRun: TaskRun,
  spec: TaskSpec,
  options: PodBuildOptions,
): V1Pod {
  const namespace = taskRun.metadata.namespace ?? 'default';
  const steps = spec.steps ?? [];
  const volumes: V1Volume[] = [
    { name: RUN_VOLUME, emptyDir: {} },
    { name: RESULTS_VOLUME, emptyDir: {} },
    { name: STEPS_VOLUME, emptyDir: {} },
    { name: HOME_VOLUME, emptyDir: {} },
    { name: WORKSPACE_VOLUME, emptyDir: {} },
  ];
  const internalMounts = [
    { name: RUN_VOLUME, mountPath: '/tekton/run' },
    { name: RESULTS_VOLUME, mountPath: '/tekton/results' },
    { name: STEPS_VOLUME, mountPath: '/tekton/steps' },
    { name: HOME_VOLUME, mountPath: '/tekton/home' },
  ];
  const workspaces = (taskRun.spec.workspaces ?? []).map(binding => {
    if (binding.persistentVolumeClaim) {
      // The claim's directory, shared by every TaskRun that binds it, as a hostPath volume.
      volumes.push({
        name: workspaceVolumeName(binding.name),
        hostPath: {
          path: claimDirectory(options.claimsDir, namespace, binding),
          type: 'DirectoryOrCreate',
        },
      });
      return { binding, claim: true, files: [] };
    }
    // emptyDir (and, in this runtime, configMap, secret and projected) volumes are per pod.
    volumes.push({ name: workspaceVolumeName(binding.name), emptyDir: {} });
    return { binding, files: keyFiles(binding, options.objectKeys) };
  });
  // Workspaces that steps or sidecars name are mounted in those only (isolated workspaces).
  const isolated = new Set(
    [...steps, ...(spec.sidecars ?? [])].flatMap(p =>
      (p.workspaces ?? []).map(w => w.name),
    ),
  );
  // The workspaces a container sees: their mounts, the files of configMap
  // and secret ones, and their paths.
  const workspacesOf = (program: Sidecar) => {
    const own = new Map(
      (program.workspaces ?? []).map(w => [
        w.name,
        // Go decodes JSON field names case-insensitively.
        w.mountPath ?? (w as { mountpath?: string }).mountpath,
      ]),
    );
    // Before the workspaces' mounts, which are inside it.
    const mounts: VolumeMount[] = [
      { name: WORKSPACE_VOLUME, mountPath: '/workspace' },
    ];
    const files: string[] = [];
    const variables: Array<{ name: string; valueFrom: object }> = [];
    const paths: string[] = [];
    for (const { binding, claim, files: keys } of workspaces) {
      if (isolated.has(binding.name) && !own.has(binding.name)) continue;
      const mountPath =
        own.get(binding.name) || workspaceMountPath(spec, binding.name);
      paths.push(mountPath);
      for (const { file, valueFrom } of keys) {
        const variable = `TEKTON_WORKSPACE_FILE_${variables.length}`;
        files.push(`${mountPath}/${file}|${variable}`);
        variables.push({ name: variable, valueFrom });
      }
      mounts.push({
        name: workspaceVolumeName(binding.name),
        mountPath,
        // A claim's directory already ends in its subPath.
        ...(binding.subPath && !claim ? { subPath: binding.subPath } : {}),
      });
    }
    return { mounts, files, variables, paths };
  };
  // The Task's and the pod template's volumes: configMap, secret and projected ones are directories
  // their mounts write files into, as workspaces' are.
  const objectVolumes = new Map<string, ReturnType<typeof keyFiles>>();
  for (const volume of [
    ...(spec.volumes ?? []),
    ...(taskRun.spec.podTemplate?.volumes ?? []),
  ]) {
    if (projectedObjects(volume).length) {
      objectVolumes.set(volume.name, keyFiles(volume, options.objectKeys));
      volumes.push({ name: volume.name, emptyDir: {} });
    } else {
      volumes.push(volume as V1Volume);
    }
  }
  const pathPrefixesOf = (paths: string[]) =>
    [...new Set(['/tekton', '/workspace', ...paths])]
      .map(p => p.replace(/\/+$/, ''))
      .filter(p => p && !p.startsWith('/workspace/'));
  // The files a container's mounts of the Task's volumes hold.
  const volumeFiles = (mounts: VolumeMount[]) => {
    const lines: string[] = [];
    const variables: Array<{ name: string; valueFrom: object }> = [];
    for (const mount of mounts) {
      for (const { file, valueFrom } of objectVolumes.get(mount.name) ?? []) {
        const variable = `TEKTON_VOLUME_FILE_${variables.length}`;
        lines.push(`${mount.mountPath}/${file}|${variable}`);
        variables.push({ name: variable, valueFrom });
      }
    }
    return { lines, variables };
  };
  const sidecars = spec.sidecars ?? [];
  // A step's or sidecar's container: its program runs under an entrypoint script.
  const wrapped = (
    program: Sidecar,
    name: string,
    entrypoint: string,
    env: Array<{ name: string; value: string }>,
  ): V1Container => {
    const mounts = program.volumeMounts ?? [];
    const own = volumeFiles(mounts);
    const ws = workspacesOf(program);
    // A mount of the container's own replaces Tekton's at the same path.
    const allMounts = [...internalMounts, ...ws.mounts, ...mounts].filter(
      (mount, i, all) =>
        !all.slice(i + 1).some(later => later.mountPath === mount.mountPath),
    );
    return {
      name,
      image: program.image ?? 'busybox',
      command: [
        '/bin/sh',
        '-c',
        entrypoint,
        'tekton-entrypoint',
        ...(program.script
          ? program.args ?? []
          : [
              ...(program.command ?? imageCommand(program)),
              ...(program.args ?? []),
            ]),
      ],
      env: [
        ...(program.env ?? []),
        ...env,
        {
          name: STEP_ENV.script,
          value: program.script
            ? Buffer.from(program.script).toString('base64')
            : '',
        },
        { name: STEP_ENV.shell, value: imageShell(program.image ?? 'busybox') },
        {
          name: STEP_ENV.workingDir,
          value: program.workingDir ?? '/workspace',
        },
        ...ws.variables,
        ...own.variables,
        {
          name: STEP_ENV.workspaceFiles,
          value: [...ws.files, ...own.lines].join('\n'),
        },
        {
          name: STEP_ENV.pathPrefixes,
          value: pathPrefixesOf([
            ...ws.paths,
            ...mounts.map(m => m.mountPath),
          ]).join('\n'),
        },
        { name: STEP_ENV.stepCount, value: String(steps.length) },
      ] as V1Container['env'],
      volumeMounts: allMounts,
      terminationMessagePolicy: 'FallbackToLogsOnError',
    };
  };
  const timeoutSeconds = (step: Step) => {
    const ms =
      step.timeout === undefined ? undefined : parseDuration(step.timeout);
    return ms ? String(ms / 1000) : '';
  };
  const containers: V1Container[] = [
    ...steps.map((step, index) =>
      wrapped(
        withStepResultPaths(step, index),
        stepContainerName(step, index),
        STEP_SCRIPT,
        [
          { name: STEP_ENV.index, value: String(index) },
          { name: STEP_ENV.name, value: stepContainerName(step, index) },
          { name: STEP_ENV.onError, value: step.onError ?? 'stopAndFail' },
          { name: STEP_ENV.timeout, value: timeoutSeconds(step) },
          {
            name: STEP_ENV.sidecars,
            value: sidecars.map(s => s.name).join('\n'),
          },
        ],
      ),
    ),
    ...sidecars.map(sidecar =>
      wrapped(sidecar, `sidecar-${sidecar.name}`, SIDECAR_SCRIPT, [
        { name: STEP_ENV.sidecarName, value: sidecar.name ?? '' },
        { name: STEP_ENV.sidecarProbe, value: probeScript(sidecar) },
      ]),
    ),
  ];
  containers.push({
    name: RESULTS_CONTAINER,
    image: 'busybox',
    command: ['/bin/sh', '-c', RESULTS_SCRIPT],
    env: [{ name: STEP_ENV.stepCount, value: String(steps.length) }],
    volumeMounts: internalMounts,
  });
  const { labels, annotations } = propagatedMetadata(taskRun.metadata, {
    labels: {
      ...(options.taskName ? { [LABELS.task]: options.taskName } : {}),
      [LABELS.taskRun]: taskRun.metadata.name!,
      [LABELS.taskRunUid]: taskRun.metadata.uid!,
      [LABELS.managedBy]: MANAGED_BY_TEKTON,
    },
  });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: podNameFor(taskRun),
      namespace,
      labels,
      annotations,
      ownerReferences: [ownerReference('TaskRun', taskRun.metadata)],
    },
    spec: {
      restartPolicy: 'Never',
      ...(taskRun.spec.serviceAccountName
        ? { serviceAccountName: taskRun.spec.serviceAccountName }
        : {}),
      containers,
      volumes,
      terminationGracePeriodSeconds: 1,
    },
  };
}

function toIso(value: unknown): string | undefined {
  if (!value) return undefined;
  return value instanceof Date ? value.toISOString() : String(value);
}

/**
 * Tekton's step terminationReason: Skipped after an earlier failure,
 * Continued for a failure with onError: continue (its container exits 0).
 */
function terminationReason(
  recorded: { skipped: boolean; exitCode: number; reason?: string },
  containerExitCode: number,
): string {
  if (recorded.skipped) return 'Skipped';
  if (recorded.exitCode === 0) return 'Completed';
  if (containerExitCode === 0) return 'Continued';
  return recorded.reason ?? 'Error';
}

/** The steps' states from the pod's container statuses and the results log's exit codes. */
export function stepStates(
  spec: TaskSpec,
  pod: V1Pod,
  log: ResultsLog | undefined,
): StepState[] {
  const statuses = new Map(
    (pod.status?.containerStatuses ?? []).map(s => [s.name, s]),
  );
  return (spec.steps ?? []).map((step, index) => {
    const container = stepContainerName(step, index);
    const status = statuses.get(container);
    const state: StepState = {
      name: step.name ?? `unnamed-${index}`,
      container,
      imageID: status?.imageID,
    };
    const terminated = status?.state?.terminated;
    if (terminated) {
      const recorded = log?.exitCodes.get(index);
      const skipped = recorded === 'skipped';
      const exitCode =
        typeof recorded === 'number' ? recorded : terminated.exitCode;
      state.terminated = {
        exitCode,
        reason: exitCode === 0 ? 'Completed' : 'Error',
        startedAt: toIso(terminated.startedAt),
        finishedAt: toIso(terminated.finishedAt),
        containerID: terminated.containerID,
      };
      state.terminationReason = terminationReason(
        { skipped, exitCode, reason: log?.reasons.get(index) },
        terminated.exitCode,
      );
    } else if (status?.state?.running) {
      state.running = { startedAt: toIso(status.state.running.startedAt) };
    } else {
      state.waiting = {
        reason: status?.state?.waiting?.reason ?? 'PodInitializing',
        ...(status?.state?.waiting?.message
          ? { message: status.state.waiting.message }
          : {}),
      };
    }
    return state;
  });
}

/** The states of the pod's sidecar containers (the results sidecar too, as in Tekton). */
export function sidecarStates(pod: V1Pod): TaskRunStatus['sidecars'] {
  return (pod.status?.containerStatuses ?? [])
    .filter(s => s.name.startsWith('sidecar-'))
    .map(s => {
      const state = s.state ?? {};
      return {
        name: s.name.slice('sidecar-'.length),
        container: s.name,
        imageID: s.imageID,
        ...(state.terminated
          ? {
              terminated: {
                exitCode: state.terminated.exitCode,
                reason: state.terminated.reason,
                startedAt: toIso(state.terminated.startedAt),
                finishedAt: toIso(state.terminated.finishedAt),
              },
            }
          : {}),
        ...(state.running
          ? { running: { startedAt: toIso(state.running.startedAt) } }
          : {}),
        ...(state.waiting ? { waiting: state.waiting } : {}),
      };
    });
}

/** Results with their declared types (array and object results are JSON). */
export function taskResults(spec: TaskSpec, log: ResultsLog): RunResult[] {
  const declared = new Map(
    (spec.results ?? []).map(r => [r.name, r.type ?? 'string']),
  );
  const texts = new Map(log.results);
  // Results whose value is a step's result (`$(steps.<s>.results.<r>)`).
  for (const result of spec.results ?? []) {
    const step =
      typeof result.value === 'string'
        ? /^\$\(steps\.([^.]+)\.results\.([^.[\]]+)(\[\*\])?\)$/.exec(
            result.value.trim(),
          )
        : null;
    const text = step && log.stepResults.get(`step-${step[1]}/${step[2]}`);
    if (text !== undefined && text !== null) texts.set(result.name, text);
  }
  const results: RunResult[] = [];
  for (const [name, text] of texts) {
    const type = declared.get(name) ?? 'string';
    if (type === 'string') {
      results.push({ name, type, value: text });
      continue;
    }
    try {
      results.push({ name, type, value: JSON.parse(text) });
    } catch {
      results.push({ name, type: 'string', value: text });
    }
  }
  return results;
}

/** Container termination reasons of a runtime that could not start the program. */
const CONTAINER_START_FAILURES = new Set([
  'StartError',
  'RunContainerError',
  'ContainerCannotRun',
]);

function containerStatus(pod: V1Pod, name: string) {
  return pod.status?.containerStatuses?.find(s => s.name === name);
}

/**
 * The TaskRun's condition, steps and results for its pod. `resultsLog` is the
 * results sidecar's log, read once the pod has ended.
 */
export function statusFromPod(
  spec: TaskSpec,
  pod: V1Pod,
  resultsLog: string | undefined,
): Pick<TaskRunStatus, 'steps' | 'sidecars' | 'results'> & {
  condition: Omit<Condition, 'type'>;
  done: boolean;
} {
  const log =
    resultsLog === undefined ? undefined : parseResultsLog(resultsLog);
  const steps = stepStates(spec, pod, log);
  const sidecars = sidecarStates(pod);
  const results = log ? taskResults(spec, log) : [];
  const phase = pod.status?.phase;
  const withResults = { sidecars, ...(results.length ? { results } : {}) };
  if (phase === 'Succeeded') {
    return {
      steps,
      ...withResults,
      done: true,
      condition: {
        status: 'True',
        reason: 'Succeeded',
        message: 'All Steps have completed executing',
      },
    };
  }
  if (phase === 'Failed') {
    const failed = steps.find(
      s =>
        s.terminationReason === 'Error' ||
        s.terminationReason === 'TimeoutExceeded',
    );
    // Tekton's failure message, with its hint for reading the step's log.
    const logsHint = `for logs run: kubectl -n ${pod.metadata?.namespace} logs ${pod.metadata?.name} -c ${failed?.container}\n`;
    let message =
      pod.status?.message ?? 'build failed for unspecified reasons.';
    if (failed?.terminationReason === 'TimeoutExceeded')
      message = `"${failed.container}" exited because the step exceeded the specified timeout limit; ${logsHint}`;
    else if (failed)
      message = `"${failed.container}" exited with code ${
        failed.terminated!.exitCode
      } (image: "${failed.imageID ?? ''}"); ${logsHint}`;
    return {
      steps,
      ...withResults,
      done: true,
      condition: { status: 'False', reason: 'Failed', message },
    };
  }
  // A step container the runtime could not start (missing program, E2BIG…)
  // never ran its entrypoint, so the steps after it wait forever and the pod
  // never ends: as Tekton's DidTaskRunFail, a step terminated with a non-zero
  // code fails the TaskRun while the pod still runs.
  const unstarted = steps.find(s => {
    const reason = containerStatus(pod, s.container)?.state?.terminated?.reason;
    return reason !== undefined && CONTAINER_START_FAILURES.has(reason);
  });
  if (unstarted) {
    const terminated = containerStatus(pod, unstarted.container)!.state!
      .terminated!;
    return {
      steps,
      sidecars,
      done: true,
      condition: {
        status: 'False',
        reason: 'Failed',
        message: `"${unstarted.container}" exited with code ${
          terminated.exitCode
        } (image: "${unstarted.imageID ?? ''}"): ${
          terminated.message ?? terminated.reason
        }; for logs run: kubectl -n ${pod.metadata?.namespace} logs ${
          pod.metadata?.name
        } -c ${unstarted.container}\n`,
      },
    };
  }
  if (steps.some(s => s.running || s.terminated)) {
    return {
      steps,
      sidecars,
      done: false,
      condition: {
        status: 'Unknown',
        reason: 'Running',
        message: 'Not all Steps in the Task have finished executing',
      },
    };
  }
  return {
    steps,
    sidecars,
    done: false,
    condition: {
      status: 'Unknown',
      reason: 'Pending',
      message: pendingMessage(pod),
    },
  };
}

/** Why a pod has not started, as Tekton words it: a waiting step, an unmet pod condition, or the pod's message. */
function pendingMessage(pod: V1Pod): string {
  // JSON.stringify quotes as Go's %q does for these texts.
  const quote = (text: string | undefined) => JSON.stringify(text ?? '');
  const waiting = (pod.status?.containerStatuses ?? []).find(
    s => s.state?.waiting?.message,
  );
  if (waiting)
    return `build step ${quote(waiting.name)} is pending with reason ${quote(
      waiting.state!.waiting!.message,
    )}`;
  const unmet = (pod.status?.conditions ?? []).find(c => c.status !== 'True');
  if (unmet)
    return `pod status ${quote(unmet.type)}:${quote(
      unmet.status,
    )}; message: ${quote(unmet.message)}`;
  return pod.status?.message || 'Pending';
}

/** Steps that had not ended when the run was stopped, as Tekton marks them (cancelled, timed out). */
export function terminateUnfinishedSteps(
  steps: StepState[] = [],
  reason: string,
): StepState[] {
  return steps.map(step =>
    step.terminated
      ? step
      : {
          name: step.name,
          container: step.container,
          imageID: step.imageID,
          terminated: { exitCode: 1, reason },
          terminationReason: reason,
        },
  );
}
