/**
 * What a container runs, decided as Kubernetes decides it from the container's
 * `command`, `args` and the image's ENTRYPOINT and CMD — except that the dev
 * cluster has no images: the image catalog knows the ENTRYPOINT and CMD of
 * some, and a container whose program the host cannot run is idle (costs no
 * OS process).
 */

/** The parts of an image's config that decide what runs. */
export interface ImageConfig {
  entrypoint: string[];
  cmd: string[];
  /**
   * The ENTRYPOINT names a program of this host (an image a cluster's own
   * catalog maps to a local build, e.g. Cairn's operators run from the
   * checkout), so it runs as the image's entrypoint would.
   */
  entrypointOnHost?: boolean;
}

/** What the runtime starts for a container. */
export type ContainerProgram =
  | { kind: 'process'; argv: string[] }
  /** Runs nothing: a long-running container that is not an OS process. */
  | { kind: 'idle' };

export interface ProgramInputs {
  /** The image's ENTRYPOINT and CMD, when the image catalog knows them. */
  imageConfig?: ImageConfig;
  command?: string[];
  args?: string[];
  /** Whether the container keeps stdin open (`stdin: true`): an interactive shell image then runs its CMD. */
  stdin?: boolean;
  /** The container's environment, for `$(VAR)` references in command and args. */
  env: Record<string, string>;
}

/**
 * Resolves the program as the kubelet and runtime do: `command` replaces the
 * ENTRYPOINT and `args` the CMD, with `$(VAR)` expanded from the environment.
 */
export function resolveProgram(inputs: ProgramInputs): ContainerProgram {
  const expand = (values: string[]) =>
    values.map(v => expandVariables(v, inputs.env));
  const command = inputs.command ?? [];
  const args = inputs.args ?? [];
  if (command.length > 0)
    return { kind: 'process', argv: expand([...command, ...args]) };
  const image = inputs.imageConfig;
  // As a runtime does: ENTRYPOINT as written, then args (expanded) or CMD.
  if (image?.entrypointOnHost && image.entrypoint.length > 0)
    return {
      kind: 'process',
      argv: [...image.entrypoint, ...(args.length ? expand(args) : image.cmd)],
    };
  // Only an empty ENTRYPOINT leaves the program to args and CMD, which name
  // host programs (`sleep`, `sh`); an image's own entrypoint is not on the host.
  if (!image || image.entrypoint.length > 0) return { kind: 'idle' };
  if (args.length > 0) return { kind: 'process', argv: expand(args) };
  // A shell CMD would exit at once without stdin, so only interactive containers run it.
  if (inputs.stdin) return { kind: 'process', argv: [...image.cmd] };
  return { kind: 'idle' };
}

/**
 * Kubernetes' `$(VAR_NAME)` expansion: defined variables are replaced, undefined
 * references are kept as written, and `$$` escapes a `$`.
 */
export function expandVariables(
  input: string,
  env: Record<string, string>,
): string {
  let output = '';
  for (let i = 0; i < input.length; i++) {
    const char = input[i];
    if (char !== '$' || i + 1 >= input.length) {
      output += char;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      output += '$';
      i++;
    } else if (next === '(') {
      const end = input.indexOf(')', i + 2);
      if (end < 0) {
        output += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, end);
      output += Object.hasOwn(env, name) ? env[name] : `$(${name})`;
      i = end;
    } else {
      output += char;
    }
  }
  return output;
}
