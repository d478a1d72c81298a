import { DEBUG_SESSION_DEFAULTS } from './constants';
import { DEBUG_PROFILES, DebugProfile, DebugToolkit } from './types';

/**
 * The toolkits a session may name unless the controller is configured with
 * others. Images that do not ship the tool say how to get it.
 * @public
 */
export const DEFAULT_DEBUG_TOOLKITS: readonly DebugToolkit[] = [
  {
    name: 'netshoot',
    image: 'docker.io/nicolaka/netshoot:v0.13',
    profile: 'netadmin',
    description:
      'Network: tcpdump, dig, curl, ss, iperf3, nmap, termshark in the pod’s network namespace',
    command: ['bash', '-l'],
  },
  {
    name: 'busybox',
    image: 'docker.io/library/busybox:1.37',
    profile: 'general',
    description:
      'A small shell with the usual Unix tools; the target’s files are under /proc/1/root',
  },
  {
    name: 'arthas',
    image: 'docker.io/hengyunabc/arthas:latest',
    profile: 'general',
    description:
      'JVM: Arthas (java -jar /opt/arthas/arthas-boot.jar) attaches to the target’s JVM',
    command: ['sh'],
  },
  {
    name: 'py-spy',
    image: 'docker.io/library/python:3.12',
    profile: 'general',
    description:
      'Python: pip install py-spy, then py-spy dump --pid <pid> or py-spy top --pid <pid>',
    command: ['bash'],
  },
  {
    name: 'delve',
    image: 'docker.io/library/golang:1.23',
    profile: 'general',
    description:
      'Go: go install github.com/go-delve/delve/cmd/dlv@latest, then dlv attach <pid>',
    command: ['bash'],
  },
];

/** The DebugSession controller's configuration. @public */
export interface DebugSessionConfig {
  toolkits: readonly DebugToolkit[];
  /** No session lasts longer, whatever its ttlSeconds. */
  maxTtlSeconds: number;
}

/** @public */
export const DEFAULT_DEBUG_SESSION_CONFIG: DebugSessionConfig = {
  toolkits: DEFAULT_DEBUG_TOOLKITS,
  maxTtlSeconds: DEBUG_SESSION_DEFAULTS.maxTtlSeconds,
};

const TOOLKIT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Checks a toolkit catalog as configuration gives it (parsed JSON or YAML),
 * throwing an Error that names the entry and field at fault.
 * @public
 */
export function parseDebugToolkits(value: unknown): DebugToolkit[] {
  if (!Array.isArray(value))
    throw new Error(
      'toolkits must be a list of {name, image, profile, description}',
    );
  const seen = new Set<string>();
  return value.map((entry, index) => {
    const where = `toolkits[${index}]`;
    if (typeof entry !== 'object' || entry === null)
      throw new Error(`${where} must be an object`);
    const { name, image, profile, description, command } = entry as Record<
      string,
      unknown
    >;
    if (
      typeof name !== 'string' ||
      !TOOLKIT_NAME.test(name) ||
      name.length > 63
    )
      throw new Error(
        `${where}.name must be a DNS label (lower case letters, digits and '-'), got ${JSON.stringify(
          name,
        )}`,
      );
    if (seen.has(name))
      throw new Error(`${where}.name "${name}" is listed twice`);
    seen.add(name);
    if (typeof image !== 'string' || image.trim() === '' || /\s/.test(image))
      throw new Error(
        `${where}.image must be an image reference, got ${JSON.stringify(
          image,
        )}`,
      );
    if (!DEBUG_PROFILES.includes(profile as DebugProfile))
      throw new Error(
        `${where}.profile must be one of ${DEBUG_PROFILES.join(
          ', ',
        )}, got ${JSON.stringify(profile)}`,
      );
    if (description !== undefined && typeof description !== 'string')
      throw new Error(`${where}.description must be a string`);
    if (
      command !== undefined &&
      (!Array.isArray(command) ||
        command.length === 0 ||
        !command.every(part => typeof part === 'string'))
    )
      throw new Error(`${where}.command must be a non-empty list of strings`);
    return {
      name,
      image,
      profile: profile as DebugProfile,
      description: (description as string | undefined) ?? '',
      ...(command ? { command: command as string[] } : {}),
    };
  });
}

/**
 * The controller's configuration from its environment:
 * `CAIRN_DEBUG_MAX_TTL_SECONDS` (the cap on a session's TTL) and
 * `CAIRN_DEBUG_TOOLKITS` (a JSON list replacing the default catalog).
 * @public
 */
export function debugSessionConfigFromEnv(
  env: Record<string, string | undefined>,
): DebugSessionConfig {
  let maxTtlSeconds = DEFAULT_DEBUG_SESSION_CONFIG.maxTtlSeconds;
  const cap = env.CAIRN_DEBUG_MAX_TTL_SECONDS;
  if (cap !== undefined && cap !== '') {
    if (!/^[1-9][0-9]*$/.test(cap.trim()))
      throw new Error(
        `CAIRN_DEBUG_MAX_TTL_SECONDS must be a positive whole number of seconds, got ${JSON.stringify(
          cap,
        )}`,
      );
    maxTtlSeconds = Number(cap.trim());
  }
  let toolkits = DEFAULT_DEBUG_SESSION_CONFIG.toolkits;
  const catalog = env.CAIRN_DEBUG_TOOLKITS;
  if (catalog !== undefined && catalog.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(catalog);
    } catch (error) {
      throw new Error(
        `CAIRN_DEBUG_TOOLKITS is not JSON: ${(error as Error).message}`,
      );
    }
    try {
      toolkits = parseDebugToolkits(parsed);
    } catch (error) {
      throw new Error(`CAIRN_DEBUG_TOOLKITS: ${(error as Error).message}`);
    }
  }
  return { toolkits, maxTtlSeconds };
}
