import type {
  V1Container,
  V1EphemeralContainer,
  V1Pod,
} from '@kubernetes/client-node';
import {
  DEBUG_API_VERSION,
  DEBUG_SESSION_DEFAULTS,
  DEBUG_SESSION_KIND,
  ENV_DEBUG_SESSION,
  LABEL_DEBUG_SESSION,
} from './constants';
import { profileSecurityContext } from './profiles';
import type { DebugSessionConfig } from './toolkits';
import type { DebugMode, DebugProfile, DebugSession } from './types';

/*
 * What a session puts in the cluster, built as `kubectl debug` builds it
 * (kubernetes/kubectl pkg/cmd/debug/debug.go): the ephemeral container of
 * generateDebugContainer, the pod copy of generatePodCopyWithDebugContainer.
 */

/** A session's spec with its defaults and its toolkit resolved. @public */
export interface ResolvedDebugSession {
  mode: DebugMode;
  image: string;
  profile: DebugProfile;
  /** The toolkit's command, if it has one. */
  command?: string[];
  /** min(spec.ttlSeconds, the cap). */
  ttlSeconds: number;
}

/**
 * Resolves the session's toolkit, profile, mode and TTL, or says why the
 * session cannot run (an unknown toolkit, neither or both of toolkit and
 * image).
 * @public
 */
export function resolveDebugSession(
  session: DebugSession,
  config: DebugSessionConfig,
): ResolvedDebugSession | { error: string } {
  const { spec } = session;
  if (spec.toolkit && spec.image)
    return { error: 'spec.toolkit and spec.image are exclusive: name one' };
  let image: string;
  let profile: DebugProfile;
  let command: string[] | undefined;
  if (spec.toolkit) {
    const toolkit = config.toolkits.find(t => t.name === spec.toolkit);
    if (!toolkit)
      return {
        error: `unknown toolkit "${
          spec.toolkit
        }"; the catalog has ${config.toolkits.map(t => t.name).join(', ')}`,
      };
    image = toolkit.image;
    profile = spec.profile ?? toolkit.profile;
    command = toolkit.command;
  } else if (spec.image) {
    image = spec.image;
    profile = spec.profile ?? DEBUG_SESSION_DEFAULTS.profile;
  } else {
    return { error: 'spec.toolkit or spec.image is required' };
  }
  return {
    mode: spec.mode ?? DEBUG_SESSION_DEFAULTS.mode,
    image,
    profile,
    ...(command ? { command: [...command] } : {}),
    ttlSeconds: Math.min(
      spec.ttlSeconds ?? DEBUG_SESSION_DEFAULTS.ttlSeconds,
      config.maxTtlSeconds,
    ),
  };
}

/** The session's UID without dashes: names built from it are unique per session and the same on every reconcile. */
function uidPart(session: DebugSession, length: number): string {
  const uid = session.metadata.uid;
  if (!uid) throw new Error('a DebugSession without metadata.uid');
  return uid.replace(/-/g, '').slice(0, length).toLowerCase();
}

/**
 * The debug container's name, `debugger-` and 10 characters of the
 * session's UID (kubectl names its own `debugger-` and 5 random ones).
 * @public
 */
export function debugContainerName(session: DebugSession): string {
  return `debugger-${uidPart(session, 10)}`;
}

/** The copy's name: `<pod>-debug-<5 characters of the session's UID>`, within 253 characters. @public */
export function copyPodName(session: DebugSession): string {
  const suffix = `-debug-${uidPart(session, 5)}`;
  return `${session.spec.podName.slice(0, 253 - suffix.length)}${suffix}`;
}

/** The debug container's common fields, in the ephemeral container or in the copy. */
function debugContainer(
  session: DebugSession,
  resolved: ResolvedDebugSession,
): V1Container {
  const securityContext = profileSecurityContext(resolved.profile);
  return {
    name: debugContainerName(session),
    image: resolved.image,
    ...(resolved.command ? { command: resolved.command } : {}),
    // The mark the controller ends the session's processes by.
    env: [{ name: ENV_DEBUG_SESSION, value: session.metadata.uid! }],
    stdin: true,
    tty: true,
    terminationMessagePolicy: 'File',
    ...(securityContext ? { securityContext } : {}),
  };
}

/**
 * The ephemeral container of an ephemeral-mode session: in the target
 * container's namespaces, interactive, with the profile's securityContext.
 * @public
 */
export function buildEphemeralContainer(
  session: DebugSession,
  resolved: ResolvedDebugSession,
): V1EphemeralContainer {
  return {
    ...debugContainer(session, resolved),
    targetContainerName: session.spec.targetContainer,
  };
}

/** The target's command in a copy: it sleeps instead of crashing, as kubectl-debug's --fork made it. @public */
export const COPY_SLEEP_COMMAND = ['sh', '-c', 'while true; do sleep 30; done'];

/**
 * The copy of a copy-mode session, as `kubectl debug POD --copy-to`
 * makes one with a profile other than legacy: the pod's spec without its
 * labels, annotations, probes, init containers, ephemeral containers and
 * node (it is scheduled afresh, kubectl's default without --same-node);
 * the process namespace shared unless the pod says otherwise; the target's
 * command replaced by a sleep; the debug container added. Labelled with
 * the session only, so no Service or controller selects it, and owned by
 * the session, so it goes with it. `activeDeadlineSeconds` is the TTL, so
 * the kubelet ends the copy even if the controller cannot.
 * @public
 */
export function buildCopyPod(
  session: DebugSession,
  pod: V1Pod,
  resolved: ResolvedDebugSession,
): V1Pod {
  const spec = structuredClone(pod.spec!);
  delete spec.nodeName;
  delete spec.initContainers;
  delete spec.ephemeralContainers;
  spec.shareProcessNamespace ??= true;
  spec.activeDeadlineSeconds = resolved.ttlSeconds;
  spec.containers = spec.containers.map(container => {
    const copy = { ...container };
    delete copy.livenessProbe;
    delete copy.readinessProbe;
    delete copy.startupProbe;
    if (copy.name === session.spec.targetContainer) {
      copy.command = [...COPY_SLEEP_COMMAND];
      delete copy.args;
    }
    return copy;
  });
  spec.containers.push(debugContainer(session, resolved));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: copyPodName(session),
      namespace: session.metadata.namespace,
      labels: { [LABEL_DEBUG_SESSION]: session.metadata.name! },
      ownerReferences: [
        {
          apiVersion: DEBUG_API_VERSION,
          kind: DEBUG_SESSION_KIND,
          name: session.metadata.name!,
          uid: session.metadata.uid!,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec,
  };
}

/**
 * The command that ends a session's debug container, run in it by exec.
 * Kubernetes cannot stop or remove an ephemeral container, so the
 * controller ends its processes: every process carrying the session's mark
 * (its environment, which execs into the container inherit) gets SIGHUP —
 * an interactive shell's way to end, which even a PID 1 that handles it
 * obeys — then SIGKILL. The container ends with its main process. It needs
 * `sh`, `cat` and `tr` in the image; without them the exec fails and the
 * container runs until its pod goes (the controller says so in an event).
 * Processes of other containers, even in the target's shared PID
 * namespace, lack the mark and are left alone.
 * @public
 */
export function endProcessCommand(session: DebugSession): string[] {
  const mark = `${ENV_DEBUG_SESSION}=${session.metadata.uid}`;
  return [
    'sh',
    '-c',
    [
      'for p in /proc/[0-9]*; do',
      '  pid=${p#/proc/}',
      '  [ "$pid" = "$$" ] && continue',
      `  case "$(tr '\\0' '\\n' < "$p/environ" 2>/dev/null)" in`,
      `    *"${mark}"*) kill -HUP "$pid"; kill -KILL "$pid" ;;`,
      '  esac',
      'done 2>/dev/null',
      'exit 0',
    ].join('\n'),
  ];
}
