import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { V1Node, V1Taint } from '@kubernetes/client-node';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { Quantity } from '../machinery/quantity';
import {
  isDns1123Label,
  isQualifiedName,
  isValidLabelValue,
} from '../machinery/validation/names';
import {
  LABEL_ARCH,
  LABEL_HOSTNAME,
  LABEL_INSTANCE_TYPE,
  LABEL_OS,
  LABEL_RACK,
  LABEL_REGION,
  LABEL_ZONE,
} from './labels';

/** The resources a node offers, as Kubernetes quantities. */
export interface NodeResources {
  cpu: string;
  memory: string;
  pods: string;
  'ephemeral-storage': string;
  /** Extended resources such as `example.com/gpu`. */
  [resource: string]: string;
}

/** What a node looks like; every field may be set per node, per rack, per zone or in `defaults`. */
export interface NodeTemplate {
  instanceType: string;
  arch: string;
  capacity: NodeResources;
  /** What pods may use: capacity minus what the node keeps for itself. */
  allocatable: NodeResources;
  labels: Record<string, string>;
  taints: V1Taint[];
  unschedulable: boolean;
}

export interface HostSpec extends Partial<NodeTemplate> {
  name: string;
}

export interface RackSpec extends Partial<NodeTemplate> {
  name: string;
  hosts: HostSpec[];
}

export interface ZoneSpec extends Partial<NodeTemplate> {
  name: string;
  racks: RackSpec[];
}

/**
 * The shape of a topology file: a region of zones of racks of hosts, each
 * host becoming one Node.
 */
export interface TopologySpec {
  region: string;
  defaults?: Partial<NodeTemplate>;
  zones: ZoneSpec[];
}

/** The Kubernetes version the dev cluster's nodes report. */
export const KUBELET_VERSION = 'v1.33.0';
/** The container runtime nodes report: containers are local processes. */
export const CONTAINER_RUNTIME_VERSION = 'cairn-process://0.1.0';

const DEFAULT_TEMPLATE: NodeTemplate = {
  instanceType: 'cairn.local-8c32g',
  arch: 'amd64',
  capacity: {
    cpu: '8',
    memory: '32Gi',
    // Far above the kubelet's 110: idle dev-cluster pods cost no process, and
    // the benchmark places 10,000 pods on 18 nodes.
    pods: '1000',
    'ephemeral-storage': '100Gi',
  },
  allocatable: {
    cpu: '7800m',
    memory: '31Gi',
    pods: '1000',
    'ephemeral-storage': '95Gi',
  },
  labels: {},
  taints: [],
  unschedulable: false,
};

/**
 * The default topology: region `local-1` with 3 zones × 2 racks × 3 hosts,
 * 18 nodes named `node-<zone><rack>-<host>` (for example `node-a1-1`).
 */
export function defaultTopologySpec(): TopologySpec {
  const zoneLetters = ['a', 'b', 'c'];
  return {
    region: 'local-1',
    zones: zoneLetters.map(zone => ({
      name: `local-1${zone}`,
      racks: [1, 2].map(rack => ({
        name: `local-1${zone}-r${rack}`,
        hosts: [1, 2, 3].map(host => ({ name: `node-${zone}${rack}-${host}` })),
      })),
    })),
  };
}

/** Options for building node objects. */
export interface BuildNodesOptions {
  /** The time written into node conditions; defaults to now. */
  now?: Date;
}

/** Builds the Node objects of a (validated) topology, in zone, rack, host order. */
export function buildNodes(
  spec: TopologySpec,
  options: BuildNodesOptions = {},
): V1Node[] {
  const now = options.now ?? new Date();
  const nodes: V1Node[] = [];
  for (const zone of spec.zones) {
    for (const rack of zone.racks) {
      for (const host of rack.hosts) {
        const template = resolveTemplate(spec.defaults, zone, rack, host);
        nodes.push(
          buildNode({
            name: host.name,
            index: nodes.length,
            region: spec.region,
            zone: zone.name,
            rack: rack.name,
            template,
            now,
          }),
        );
      }
    }
  }
  return nodes;
}

/** The 18 nodes of the default topology. */
export function defaultNodes(options: BuildNodesOptions = {}): V1Node[] {
  return buildNodes(defaultTopologySpec(), options);
}

/** A topology file that cannot be used; the message lists every problem and how to fix it. */
export class TopologyError extends Error {
  readonly problems: string[];

  constructor(source: string, problems: string[]) {
    super(
      `Invalid topology ${source}:\n${problems
        .map(p => `  - ${p}`)
        .join('\n')}`,
    );
    this.name = 'TopologyError';
    this.problems = problems;
  }
}

/** Parses and validates the YAML text of a topology file. */
export function parseTopology(text: string, source = 'file'): TopologySpec {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    if (error instanceof YAMLParseError) {
      throw new TopologyError(source, [`not valid YAML: ${error.message}`]);
    }
    throw error;
  }
  const problems: string[] = [];
  const spec = validateTopology(document, problems);
  if (!spec || problems.length > 0) {
    throw new TopologyError(source, problems);
  }
  return spec;
}

/** Reads a topology file and builds its nodes. */
export function loadTopologyFile(
  path: string,
  options: BuildNodesOptions = {},
): V1Node[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TopologyError(path, [
      `cannot be read (${(error as Error).message}); check the path`,
    ]);
  }
  return buildNodes(parseTopology(text, path), options);
}

function resolveTemplate(
  ...layers: Array<Partial<NodeTemplate> | undefined>
): NodeTemplate {
  const template: NodeTemplate = {
    ...DEFAULT_TEMPLATE,
    capacity: { ...DEFAULT_TEMPLATE.capacity },
    allocatable: { ...DEFAULT_TEMPLATE.allocatable },
    labels: {},
    taints: [],
  };
  for (const layer of layers) {
    if (!layer) continue;
    if (layer.instanceType !== undefined)
      template.instanceType = layer.instanceType;
    if (layer.arch !== undefined) template.arch = layer.arch;
    if (layer.unschedulable !== undefined)
      template.unschedulable = layer.unschedulable;
    if (layer.capacity) {
      template.capacity = { ...template.capacity, ...layer.capacity };
      // A layer that sets capacity without allocatable makes all of it allocatable.
      if (!layer.allocatable) template.allocatable = { ...template.capacity };
    }
    if (layer.allocatable) {
      template.allocatable = { ...template.allocatable, ...layer.allocatable };
    }
    if (layer.labels) template.labels = { ...template.labels, ...layer.labels };
    if (layer.taints) template.taints = layer.taints;
  }
  return template;
}

interface NodeParameters {
  name: string;
  index: number;
  region: string;
  zone: string;
  rack: string;
  template: NodeTemplate;
  now: Date;
}

function buildNode(p: NodeParameters): V1Node {
  const { template, now } = p;
  const id = stableId(p.name);
  const internalIp = `127.0.1.${p.index + 1}`;
  const node: V1Node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: p.name,
      labels: {
        'beta.kubernetes.io/arch': template.arch,
        'beta.kubernetes.io/os': 'linux',
        ...template.labels,
        [LABEL_ARCH]: template.arch,
        [LABEL_OS]: 'linux',
        [LABEL_HOSTNAME]: p.name,
        [LABEL_INSTANCE_TYPE]: template.instanceType,
        [LABEL_REGION]: p.region,
        [LABEL_ZONE]: p.zone,
        [LABEL_RACK]: p.rack,
      },
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: {
      // A /22 per node: room for the 1000 pods a node allows.
      podCIDR: `127.244.${p.index * 4}.0/22`,
      podCIDRs: [`127.244.${p.index * 4}.0/22`],
      providerID: `cairn://${p.name}`,
    },
    status: {
      capacity: { ...template.capacity },
      allocatable: { ...template.allocatable },
      conditions: [
        condition(
          'MemoryPressure',
          'False',
          'KubeletHasSufficientMemory',
          'kubelet has sufficient memory available',
          now,
        ),
        condition(
          'DiskPressure',
          'False',
          'KubeletHasNoDiskPressure',
          'kubelet has no disk pressure',
          now,
        ),
        condition(
          'PIDPressure',
          'False',
          'KubeletHasSufficientPID',
          'kubelet has sufficient PID available',
          now,
        ),
        condition(
          'Ready',
          'True',
          'KubeletReady',
          'kubelet is posting ready status',
          now,
        ),
      ],
      addresses: [
        { type: 'InternalIP', address: internalIp },
        { type: 'Hostname', address: p.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: id,
        systemUUID: formatUuid(id),
        bootID: formatUuid(stableId(`${p.name}/boot`)),
        kernelVersion: '6.8.0-cairn',
        osImage: 'Cairn dev cluster',
        containerRuntimeVersion: CONTAINER_RUNTIME_VERSION,
        kubeletVersion: KUBELET_VERSION,
        kubeProxyVersion: '',
        operatingSystem: 'linux',
        architecture: template.arch,
      },
      images: [],
    },
  };
  if (template.taints.length > 0) node.spec!.taints = template.taints;
  if (template.unschedulable) node.spec!.unschedulable = true;
  return node;
}

function condition(
  type: string,
  status: string,
  reason: string,
  message: string,
  now: Date,
) {
  return {
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: now,
    lastTransitionTime: now,
  };
}

function stableId(seed: string): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, 32);
}

function formatUuid(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(
    12,
    16,
  )}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

// ---------------------------------------------------------------------------
// Validation: every problem is reported with its path and what to write instead.

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const TEMPLATE_FIELDS = [
  'instanceType',
  'arch',
  'capacity',
  'allocatable',
  'labels',
  'taints',
  'unschedulable',
];
const REQUIRED_RESOURCES = ['cpu', 'memory', 'pods', 'ephemeral-storage'];

function validateTopology(
  document: unknown,
  problems: string[],
): TopologySpec | undefined {
  if (!isObject(document)) {
    problems.push(
      'the file must be a YAML mapping with `region` and `zones` (zones → racks → hosts)',
    );
    return undefined;
  }
  checkFields(document, '', ['region', 'defaults', 'zones'], problems);
  const region = document.region ?? 'local-1';
  checkLabelValue(region, 'region', problems);
  if (document.defaults !== undefined) {
    validateTemplate(document.defaults, 'defaults', problems, []);
  }
  const zones = requireList(
    document.zones,
    'zones',
    'a list of zones, each with `name` and `racks`',
    problems,
  );
  const nodeNames = new Map<string, string>();
  zones.forEach((zone, zi) => {
    const zonePath = `zones[${zi}]`;
    if (!isObject(zone)) {
      problems.push(
        `${zonePath}: must be a mapping with \`name\` and \`racks\``,
      );
      return;
    }
    validateTemplate(zone, zonePath, problems, ['name', 'racks']);
    checkLabelValue(zone.name, `${zonePath}.name`, problems, true);
    const racks = requireList(
      zone.racks,
      `${zonePath}.racks`,
      'a list of racks, each with `name` and `hosts`',
      problems,
    );
    racks.forEach((rack, ri) => {
      const rackPath = `${zonePath}.racks[${ri}]`;
      if (!isObject(rack)) {
        problems.push(
          `${rackPath}: must be a mapping with \`name\` and \`hosts\``,
        );
        return;
      }
      validateTemplate(rack, rackPath, problems, ['name', 'hosts']);
      checkLabelValue(rack.name, `${rackPath}.name`, problems, true);
      const hosts = requireList(
        rack.hosts,
        `${rackPath}.hosts`,
        'a list of hosts, each with a `name`',
        problems,
      );
      hosts.forEach((host, hi) => {
        const hostPath = `${rackPath}.hosts[${hi}]`;
        if (!isObject(host)) {
          problems.push(`${hostPath}: must be a mapping with a \`name\``);
          return;
        }
        validateTemplate(host, hostPath, problems, ['name']);
        const name = host.name;
        if (typeof name !== 'string' || name === '') {
          problems.push(
            `${hostPath}.name: required; give the node's name, e.g. "node-a1-1"`,
          );
        } else if (isDns1123Label(name).length > 0) {
          // The name is also the kubernetes.io/hostname label value.
          problems.push(
            `${hostPath}.name: "${name}" is not a valid node name: ${isDns1123Label(
              name,
            ).join('; ')}`,
          );
        } else if (nodeNames.has(name)) {
          problems.push(
            `${hostPath}.name: "${name}" is already used by ${nodeNames.get(
              name,
            )}; node names must be unique`,
          );
        } else {
          nodeNames.set(name, hostPath);
        }
      });
    });
  });
  if (
    Array.isArray(document.zones) &&
    nodeNames.size === 0 &&
    problems.length === 0
  ) {
    problems.push(
      'zones: the topology has no hosts; add at least one host to a rack',
    );
  }
  if (problems.length > 0) return undefined;
  const spec = document as unknown as TopologySpec;
  checkEffectiveResources(spec, problems);
  return { ...spec, region: region as string };
}

function validateTemplate(
  value: unknown,
  path: string,
  problems: string[],
  extraFields: string[],
) {
  if (!isObject(value)) {
    problems.push(
      `${path}: must be a mapping of ${TEMPLATE_FIELDS.join(', ')}`,
    );
    return;
  }
  checkFields(value, path, [...extraFields, ...TEMPLATE_FIELDS], problems);
  const at = (field: string) => (path ? `${path}.${field}` : field);
  if (value.instanceType !== undefined)
    checkLabelValue(value.instanceType, at('instanceType'), problems, true);
  if (value.arch !== undefined)
    checkLabelValue(value.arch, at('arch'), problems, true);
  if (
    value.unschedulable !== undefined &&
    typeof value.unschedulable !== 'boolean'
  ) {
    problems.push(`${at('unschedulable')}: must be true or false`);
  }
  for (const field of ['capacity', 'allocatable']) {
    if (value[field] !== undefined)
      validateResources(value[field], at(field), problems);
  }
  if (value.labels !== undefined) {
    if (!isObject(value.labels)) {
      problems.push(
        `${at('labels')}: must be a mapping of label keys to string values`,
      );
    } else {
      for (const [key, labelValue] of Object.entries(value.labels)) {
        checkQualifiedName(key, `${at('labels')}["${key}"]`, problems);
        checkLabelValue(labelValue, `${at('labels')}["${key}"]`, problems);
      }
    }
  }
  if (value.taints !== undefined) {
    if (!Array.isArray(value.taints)) {
      problems.push(`${at('taints')}: must be a list of {key, value, effect}`);
    } else {
      value.taints.forEach((taint, ti) => {
        const taintPath = `${at('taints')}[${ti}]`;
        if (!isObject(taint)) {
          problems.push(`${taintPath}: must be a mapping {key, value, effect}`);
          return;
        }
        checkFields(taint, taintPath, ['key', 'value', 'effect'], problems);
        checkQualifiedName(taint.key, `${taintPath}.key`, problems);
        if (taint.value !== undefined)
          checkLabelValue(taint.value, `${taintPath}.value`, problems);
        if (!TAINT_EFFECTS.includes(taint.effect as string)) {
          problems.push(
            `${taintPath}.effect: must be one of ${TAINT_EFFECTS.join(', ')}`,
          );
        }
      });
    }
  }
}

function validateResources(value: unknown, path: string, problems: string[]) {
  if (!isObject(value)) {
    problems.push(
      `${path}: must be a mapping of resource names to quantities, e.g. {cpu: "8", memory: 32Gi}`,
    );
    return;
  }
  for (const [resource, quantity] of Object.entries(value)) {
    const at = `${path}.${resource}`;
    if (
      resource !== 'cpu' &&
      resource !== 'memory' &&
      resource !== 'pods' &&
      resource !== 'ephemeral-storage' &&
      !resource.includes('/') &&
      !resource.startsWith('hugepages-')
    ) {
      problems.push(
        `${at}: unknown resource; use cpu, memory, pods, ephemeral-storage or an extended resource with a domain, e.g. example.com/gpu`,
      );
      continue;
    }
    const parsed =
      typeof quantity === 'string' || typeof quantity === 'number'
        ? Quantity.tryParse(quantity)
        : undefined;
    if (!parsed) {
      problems.push(
        `${at}: ${JSON.stringify(
          quantity,
        )} is not a Kubernetes quantity; write e.g. "8", "7800m", "32Gi"`,
      );
    } else if (parsed.cmp(Quantity.zero()) < 0) {
      problems.push(`${at}: must not be negative`);
    } else if (resource === 'pods' && parsed.milliValue() % 1000 !== 0) {
      problems.push(`${at}: must be a whole number of pods`);
    } else {
      // Normalise numbers written without quotes to quantity strings.
      value[resource] = String(quantity);
    }
  }
}

function checkEffectiveResources(spec: TopologySpec, problems: string[]) {
  spec.zones.forEach((zone, zi) =>
    zone.racks.forEach((rack, ri) =>
      rack.hosts.forEach((host, hi) => {
        const path = `zones[${zi}].racks[${ri}].hosts[${hi}]`;
        const template = resolveTemplate(spec.defaults, zone, rack, host);
        for (const resource of REQUIRED_RESOURCES) {
          if (template.capacity[resource] === undefined) {
            problems.push(`${path}: capacity.${resource} is missing`);
          }
        }
        for (const [resource, allocatable] of Object.entries(
          template.allocatable,
        )) {
          const capacity = template.capacity[resource];
          if (capacity === undefined) {
            problems.push(
              `${path}: allocatable.${resource} is set but capacity.${resource} is not; add it to capacity`,
            );
          } else if (
            Quantity.parse(allocatable).cmp(Quantity.parse(capacity)) > 0
          ) {
            problems.push(
              `${path}: allocatable.${resource} (${allocatable}) exceeds capacity.${resource} (${capacity}); allocatable is what remains of capacity for pods`,
            );
          }
        }
      }),
    ),
  );
}

function checkFields(
  value: Record<string, unknown>,
  path: string,
  allowed: string[],
  problems: string[],
) {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      problems.push(
        `${
          path ? `${path}.` : ''
        }${key}: unknown field; expected one of ${allowed.join(', ')}`,
      );
    }
  }
}

function requireList(
  value: unknown,
  path: string,
  what: string,
  problems: string[],
): unknown[] {
  if (!Array.isArray(value) || value.length === 0) {
    problems.push(`${path}: required; give ${what}`);
    return [];
  }
  return value;
}

function checkLabelValue(
  value: unknown,
  path: string,
  problems: string[],
  required = false,
) {
  if (typeof value !== 'string' || (required && value === '')) {
    problems.push(`${path}: required; must be a string`);
  } else if (isValidLabelValue(value).length > 0) {
    problems.push(
      `${path}: "${value}" is not a valid label value: ${isValidLabelValue(
        value,
      ).join('; ')}`,
    );
  }
}

function checkQualifiedName(value: unknown, path: string, problems: string[]) {
  if (typeof value !== 'string' || value === '') {
    problems.push(`${path}: a key is required`);
    return;
  }
  const errors = isQualifiedName(value);
  if (errors.length > 0) {
    problems.push(
      `${path}: "${value}" is not a valid key: ${errors.join('; ')}`,
    );
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
