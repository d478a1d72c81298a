/**
 * What a container runs, decided as Kubernetes decides it from the container's
 * `command`, `args` and the image's ENTRYPOINT and CMD — except that the dev
 * cluster has no images: it knows the entrypoint of a few base images, and a
 * container whose program it cannot know is idle (costs no OS process).
 */

/** The parts of an image's config that decide what runs. */
export interface ImageConfig {
  entrypoint: string[];
  cmd: string[];
}

/**
 * Base images whose ENTRYPOINT is empty, so `args` alone name the program
 * (`kubectl run x --image=busybox -- sh -c 'echo hi'`), and whose CMD is a shell.
 */
const SHELL_IMAGES: Record<string, ImageConfig> = {
  busybox: { entrypoint: [], cmd: ['sh'] },
  alpine: { entrypoint: [], cmd: ['/bin/sh'] },
  ubuntu: { entrypoint: [], cmd: ['/bin/bash'] },
  debian: { entrypoint: [], cmd: ['bash'] },
  fedora: { entrypoint: [], cmd: ['/bin/bash'] },
};

/** The repository name of an image reference, without registry, tag or digest. */
export function imageRepositoryName(image: string): string {
  const withoutDigest = image.split('@')[0];
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  const withoutTag =
    colon > lastSlash ? withoutDigest.slice(0, colon) : withoutDigest;
  const parts = withoutTag.split('/');
  if (
    parts.length > 1 &&
    (parts[0].includes('.') ||
      parts[0].includes(':') ||
      parts[0] === 'localhost')
  ) {
    parts.shift();
  }
  if (parts.length === 2 && parts[0] === 'library') parts.shift();
  return parts.join('/');
}

/** The config of a known base image, if the dev cluster knows it. */
export function knownImageConfig(image: string): ImageConfig | undefined {
  return SHELL_IMAGES[imageRepositoryName(image)];
}

/** What the runtime starts for a container. */
export type ContainerProgram =
  | { kind: 'process'; argv: string[] }
  /** Runs nothing: a long-running container that is not an OS process. */
  | { kind: 'idle' };

export interface ProgramInputs {
  image: string;
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
  const image = knownImageConfig(inputs.image);
  if (args.length > 0) {
    // Unknown images may have an entrypoint we cannot run; their args alone mean nothing.
    if (!image) return { kind: 'idle' };
    return { kind: 'process', argv: expand([...image.entrypoint, ...args]) };
  }
  // A shell image's CMD would exit at once without stdin, so only interactive ones run it.
  if (image && inputs.stdin)
    return { kind: 'process', argv: [...image.entrypoint, ...image.cmd] };
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
