/**
 * Pod validation as kube-apiserver v1.33 applies it (pkg/apis/core/validation):
 * create, the update rules, the ephemeralcontainers subresource, and pod
 * templates. Objects are expected to have had their defaults applied
 * ({@link applyPodSpecDefaults}), as the server defaults before validating.
 */

import {
  FieldError,
  fieldErrors,
  FieldPath,
  goQuote,
  Status,
  statusErrors,
} from '../errors';
import { validateLabels, validateLabelName } from '../labels';
import { Quantity } from '../quantity';
import {
  nameIsDnsSubdomain,
  Obj,
  semanticEqual,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './meta';
import {
  isConfigMapKey,
  isDns1123Label,
  isDns1123Subdomain,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
} from './names';

const SPEC = FieldPath.of('spec');
const MAX_INT32 = 2147483647;
const PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = [
  'ClusterFirstWithHostNet',
  'ClusterFirst',
  'Default',
  'None',
];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const STANDARD_CONTAINER_RESOURCES = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
]);
/** The volume source fields of a Volume; exactly one must be set. */
export const VOLUME_SOURCES = [
  'hostPath',
  'emptyDir',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'persistentVolumeClaim',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'downwardAPI',
  'fc',
  'azureFile',
  'configMap',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'projected',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'csi',
  'ephemeral',
  'image',
];
/** Fields an ephemeral container may set (allowedEphemeralContainerFields). */
const EPHEMERAL_ALLOWED = new Set([
  'name',
  'image',
  'command',
  'args',
  'workingDir',
  'envFrom',
  'env',
  'volumeMounts',
  'volumeDevices',
  'terminationMessagePath',
  'terminationMessagePolicy',
  'imagePullPolicy',
  'securityContext',
  'stdin',
  'stdinOnce',
  'tty',
  'targetContainerName',
]);

/** The fields a pod update may change, in the order of the Forbidden message. */
const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

const inclusiveRange = (lo: number, hi: number) =>
  `must be between ${lo} and ${hi}, inclusive`;

function dnsLabel(value: string, path: FieldPath): FieldError[] {
  return isDns1123Label(value).map(m => fieldErrors.invalid(path, value, m));
}

function dnsSubdomain(value: string, path: FieldPath): FieldError[] {
  return isDns1123Subdomain(value).map(m =>
    fieldErrors.invalid(path, value, m),
  );
}

function validateVolumes(
  volumes: Obj[] | undefined,
  path: FieldPath,
): [FieldError[], Set<string>] {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  (volumes ?? []).forEach((volume, i) => {
    const at = path.index(i);
    if (!volume.name) {
      errors.push(fieldErrors.required(at.child('name')));
    } else {
      errors.push(...dnsLabel(volume.name, at.child('name')));
      if (names.has(volume.name))
        errors.push(fieldErrors.duplicate(at.child('name'), volume.name));
      names.add(volume.name);
    }
    const sources = VOLUME_SOURCES.filter(
      source => volume[source] !== undefined && volume[source] !== null,
    );
    if (sources.length === 0) {
      errors.push(fieldErrors.required(at, 'must specify a volume type'));
    } else if (sources.length > 1) {
      errors.push(
        fieldErrors.forbidden(
          at.child(sources[1]),
          'may not specify more than 1 volume type',
        ),
      );
    }
    const src = (name: string) => volume[name] as Obj | undefined;
    if (src('configMap') && !src('configMap')!.name) {
      errors.push(fieldErrors.required(at.child('configMap', 'name')));
    }
    if (src('secret') && !src('secret')!.secretName) {
      errors.push(fieldErrors.required(at.child('secret', 'secretName')));
    }
    if (
      src('persistentVolumeClaim') &&
      !src('persistentVolumeClaim')!.claimName
    ) {
      errors.push(
        fieldErrors.required(at.child('persistentVolumeClaim', 'claimName')),
      );
    }
    if (src('hostPath') && !src('hostPath')!.path) {
      errors.push(fieldErrors.required(at.child('hostPath', 'path')));
    }
    if (src('nfs')) {
      if (!src('nfs')!.server)
        errors.push(fieldErrors.required(at.child('nfs', 'server')));
      if (!src('nfs')!.path)
        errors.push(fieldErrors.required(at.child('nfs', 'path')));
    }
  });
  return [errors, names];
}

function validatePorts(
  ports: Obj[] | undefined,
  path: FieldPath,
): FieldError[] {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  (ports ?? []).forEach((port, i) => {
    const at = path.index(i);
    if (port.name) {
      const messages = isValidPortName(port.name);
      if (messages.length) {
        messages.forEach(m =>
          errors.push(fieldErrors.invalid(at.child('name'), port.name, m)),
        );
      } else if (names.has(port.name)) {
        errors.push(fieldErrors.duplicate(at.child('name'), port.name));
      } else {
        names.add(port.name);
      }
    }
    if (!port.containerPort) {
      errors.push(fieldErrors.required(at.child('containerPort')));
    } else {
      isValidPortNum(port.containerPort).forEach(m =>
        errors.push(
          fieldErrors.invalid(at.child('containerPort'), port.containerPort, m),
        ),
      );
    }
    if (port.hostPort) {
      isValidPortNum(port.hostPort).forEach(m =>
        errors.push(
          fieldErrors.invalid(at.child('hostPort'), port.hostPort, m),
        ),
      );
    }
    if (!port.protocol) {
      errors.push(fieldErrors.required(at.child('protocol')));
    } else if (!PORT_PROTOCOLS.includes(port.protocol)) {
      errors.push(
        fieldErrors.notSupported(
          at.child('protocol'),
          port.protocol,
          PORT_PROTOCOLS,
        ),
      );
    }
  });
  return errors;
}

function validateKeySelector(ref: Obj, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  if (!ref.name) errors.push(fieldErrors.required(path.child('name')));
  if (!ref.key) {
    errors.push(fieldErrors.required(path.child('key')));
  } else {
    isConfigMapKey(ref.key).forEach(m =>
      errors.push(fieldErrors.invalid(path.child('key'), ref.key, m)),
    );
  }
  return errors;
}

function validateEnv(env: Obj[] | undefined, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  (env ?? []).forEach((variable, i) => {
    const at = path.index(i);
    const name = String(variable.name ?? '');
    if (!name) {
      errors.push(fieldErrors.required(at.child('name')));
      errors.push(
        fieldErrors.invalid(
          at.child('name'),
          name,
          'environment variable name must be non-empty',
        ),
      );
    } else if (!/^[\x20-\x7e]+$/.test(name) || name.includes('=')) {
      errors.push(
        fieldErrors.invalid(
          at.child('name'),
          name,
          "a valid environment variable name must consist only of printable ASCII characters other than '='",
        ),
      );
    }
    const from = variable.valueFrom as Obj | undefined;
    if (!from) return;
    const fromPath = at.child('valueFrom');
    const sources = [
      'fieldRef',
      'resourceFieldRef',
      'configMapKeyRef',
      'secretKeyRef',
    ].filter(key => from[key]);
    if (from.configMapKeyRef)
      errors.push(
        ...validateKeySelector(
          from.configMapKeyRef,
          fromPath.child('configMapKeyRef'),
        ),
      );
    if (from.secretKeyRef)
      errors.push(
        ...validateKeySelector(
          from.secretKeyRef,
          fromPath.child('secretKeyRef'),
        ),
      );
    if (from.fieldRef && !from.fieldRef.fieldPath) {
      errors.push(
        fieldErrors.required(fromPath.child('fieldRef', 'fieldPath')),
      );
    }
    if (sources.length === 0) {
      errors.push(
        fieldErrors.invalid(
          fromPath,
          '',
          'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
        ),
      );
    } else if (variable.value) {
      errors.push(
        fieldErrors.invalid(
          fromPath,
          '',
          'may not be specified when `value` is not empty',
        ),
      );
    } else if (sources.length > 1) {
      errors.push(
        fieldErrors.invalid(
          fromPath,
          '',
          'may not have more than one field specified at a time',
        ),
      );
    }
  });
  return errors;
}

function validateVolumeMounts(
  mounts: Obj[] | undefined,
  volumes: Set<string>,
  path: FieldPath,
): FieldError[] {
  const errors: FieldError[] = [];
  const mountPaths = new Set<string>();
  (mounts ?? []).forEach((mount, i) => {
    const at = path.index(i);
    if (!mount.name) errors.push(fieldErrors.required(at.child('name')));
    if (!volumes.has(mount.name))
      errors.push(fieldErrors.notFound(at.child('name'), mount.name ?? ''));
    if (!mount.mountPath)
      errors.push(fieldErrors.required(at.child('mountPath')));
    if (mountPaths.has(mount.mountPath)) {
      errors.push(
        fieldErrors.invalid(
          at.child('mountPath'),
          mount.mountPath,
          'must be unique',
        ),
      );
    }
    mountPaths.add(mount.mountPath);
    if (mount.subPath) {
      const subPath = String(mount.subPath);
      if (subPath.startsWith('/')) {
        errors.push(
          fieldErrors.invalid(
            path.child('subPath'),
            subPath,
            'must be a relative path',
          ),
        );
      }
      if (subPath.split('/').includes('..')) {
        errors.push(
          fieldErrors.invalid(
            path.child('subPath'),
            subPath,
            "must not contain '..'",
          ),
        );
      }
    }
  });
  return errors;
}

/** Is the resource name one whose values must be whole numbers? */
function isIntegerResource(name: string): boolean {
  return name.startsWith('hugepages-')
    ? false
    : !STANDARD_CONTAINER_RESOURCES.has(name);
}

function validateResourceList(
  list: Obj | undefined,
  path: FieldPath,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const name of Object.keys(list ?? {}).sort()) {
    const at = path.key(name);
    if (!name.includes('/')) {
      if (
        !STANDARD_CONTAINER_RESOURCES.has(name) &&
        !name.startsWith('hugepages-')
      ) {
        errors.push(
          fieldErrors.invalid(
            at,
            name,
            'must be a standard resource for containers',
          ),
        );
      }
    } else if (
      name.startsWith('kubernetes.io/') ||
      name.includes('.kubernetes.io/')
    ) {
      // Native, prefixed resources are accepted as they are.
    } else {
      isDns1123Subdomain(name.split('/')[0]).forEach(() =>
        errors.push(
          fieldErrors.invalid(
            at,
            name,
            "doesn't follow extended resource name standard",
          ),
        ),
      );
    }
    const quantity = Quantity.tryParse(list![name]);
    if (!quantity) continue;
    if (quantity.cmp(Quantity.zero()) < 0) {
      errors.push(
        fieldErrors.invalid(
          at,
          quantity.toString(),
          'must be greater than or equal to 0',
        ),
      );
    }
    if (
      name.includes('/') &&
      isIntegerResource(name) &&
      quantity.milliValue() % 1000 !== 0
    ) {
      errors.push(
        fieldErrors.invalid(at, quantity.toString(), 'must be an integer'),
      );
    }
  }
  return errors;
}

function validateResources(
  resources: Obj | undefined,
  path: FieldPath,
): FieldError[] {
  const limits = (resources?.limits ?? {}) as Obj;
  const requests = (resources?.requests ?? {}) as Obj;
  const errors = [
    ...validateResourceList(limits, path.child('limits')),
    ...validateResourceList(requests, path.child('requests')),
  ];
  for (const name of Object.keys(requests).sort()) {
    const request = Quantity.tryParse(requests[name]);
    const limit = Quantity.tryParse(limits[name]);
    const overcommitAllowed =
      !name.startsWith('hugepages-') &&
      (STANDARD_CONTAINER_RESOURCES.has(name) || !name.includes('/'));
    if (!request) continue;
    if (limit) {
      if (!overcommitAllowed && request.cmp(limit) !== 0) {
        errors.push(
          fieldErrors.invalid(
            path.child('requests'),
            request.toString(),
            `must be equal to ${name} limit of ${limit}`,
          ),
        );
      } else if (request.cmp(limit) > 0) {
        errors.push(
          fieldErrors.invalid(
            path.child('requests'),
            request.toString(),
            `must be less than or equal to ${name} limit of ${limit}`,
          ),
        );
      }
    } else if (!overcommitAllowed) {
      errors.push(
        fieldErrors.required(
          path.child('limits'),
          'Limit must be set for non overcommitable resources',
        ),
      );
    }
  }
  return errors;
}

function validateContainerCommon(
  container: Obj,
  volumes: Set<string>,
  path: FieldPath,
): FieldError[] {
  const errors: FieldError[] = [];
  if (!container.name) {
    errors.push(fieldErrors.required(path.child('name')));
  } else {
    errors.push(...dnsLabel(container.name, path.child('name')));
  }
  if (!container.image) errors.push(fieldErrors.required(path.child('image')));
  const policy = container.terminationMessagePolicy;
  if (!policy) {
    errors.push(fieldErrors.required(path.child('terminationMessagePolicy')));
  } else if (!TERMINATION_MESSAGE_POLICIES.includes(policy)) {
    errors.push(
      fieldErrors.notSupported(
        path.child('terminationMessagePolicy'),
        policy,
        TERMINATION_MESSAGE_POLICIES,
      ),
    );
  }
  errors.push(...validatePorts(container.ports, path.child('ports')));
  errors.push(...validateEnv(container.env, path.child('env')));
  errors.push(
    ...validateVolumeMounts(
      container.volumeMounts,
      volumes,
      path.child('volumeMounts'),
    ),
  );
  const pull = container.imagePullPolicy;
  if (!pull) {
    errors.push(fieldErrors.required(path.child('imagePullPolicy')));
  } else if (!PULL_POLICIES.includes(pull)) {
    errors.push(
      fieldErrors.notSupported(
        path.child('imagePullPolicy'),
        pull,
        PULL_POLICIES,
      ),
    );
  }
  errors.push(
    ...validateResources(container.resources, path.child('resources')),
  );
  return errors;
}

/** A port given as a number or a named port (ValidatePortNumOrName). */
export function validatePortNumOrName(
  port: unknown,
  path: FieldPath,
): FieldError[] {
  if (typeof port === 'number') {
    return isValidPortNum(port).map(m => fieldErrors.invalid(path, port, m));
  }
  if (typeof port === 'string') {
    if (!port) return [fieldErrors.required(path)];
    return isValidPortName(port).map(m => fieldErrors.invalid(path, port, m));
  }
  return [];
}

const HANDLER_TYPES = ['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep'];

/** A probe or lifecycle handler must name exactly one action, and a valid one. */
function validateHandler(handler: Obj, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  let count = 0;
  for (const type of HANDLER_TYPES) {
    const action = handler[type];
    if (action === undefined || action === null) continue;
    if (count > 0) {
      errors.push(
        fieldErrors.forbidden(
          path.child(type),
          'may not specify more than 1 handler type',
        ),
      );
      continue;
    }
    count++;
    const at = path.child(type);
    if (type === 'exec' && !action.command?.length) {
      errors.push(fieldErrors.required(at.child('command')));
    }
    if (type === 'httpGet') {
      if (!action.path) errors.push(fieldErrors.required(at.child('path')));
      errors.push(...validatePortNumOrName(action.port, at.child('port')));
      if (action.scheme && !['HTTP', 'HTTPS'].includes(action.scheme)) {
        errors.push(
          fieldErrors.notSupported(at.child('scheme'), action.scheme, [
            'HTTP',
            'HTTPS',
          ]),
        );
      }
    }
    if (type === 'tcpSocket')
      errors.push(...validatePortNumOrName(action.port, at.child('port')));
    if (type === 'grpc') {
      isValidPortNum(action.port).forEach(m =>
        errors.push(fieldErrors.invalid(at.child('port'), action.port, m)),
      );
    }
  }
  if (count === 0)
    errors.push(fieldErrors.required(path, 'must specify a handler type'));
  return errors;
}

function validateProbe(probe: Obj | undefined, path: FieldPath): FieldError[] {
  if (!probe) return [];
  const errors = validateHandler(probe, path);
  for (const field of [
    'initialDelaySeconds',
    'timeoutSeconds',
    'periodSeconds',
    'successThreshold',
    'failureThreshold',
  ]) {
    if (typeof probe[field] === 'number' && probe[field] < 0) {
      errors.push(
        fieldErrors.invalid(
          path.child(field),
          probe[field],
          'must be greater than or equal to 0',
        ),
      );
    }
  }
  const grace = probe.terminationGracePeriodSeconds;
  if (typeof grace === 'number' && grace <= 0) {
    errors.push(
      fieldErrors.invalid(
        path.child('terminationGracePeriodSeconds'),
        grace,
        'must be greater than 0',
      ),
    );
  }
  return errors;
}

function validateProbesAndLifecycle(
  container: Obj,
  path: FieldPath,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    errors.push(...validateProbe(container[probe], path.child(probe)));
  }
  for (const hook of ['postStart', 'preStop']) {
    const handler = container.lifecycle?.[hook];
    if (handler)
      errors.push(...validateHandler(handler, path.child('lifecycle', hook)));
  }
  return errors;
}

function validateProbesForRegular(
  container: Obj,
  path: FieldPath,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const probe of ['livenessProbe', 'startupProbe']) {
    const threshold = container[probe]?.successThreshold;
    if (threshold !== undefined && threshold !== 1) {
      errors.push(
        fieldErrors.invalid(
          path.child(probe, 'successThreshold'),
          threshold,
          'must be 1',
        ),
      );
    }
  }
  return errors;
}

function validateContainers(
  containers: Obj[] | undefined,
  volumes: Set<string>,
  hostNetwork: boolean,
  path: FieldPath,
): FieldError[] {
  if (!containers?.length) return [fieldErrors.required(path)];
  const errors: FieldError[] = [];
  const names = new Set<string>();
  containers.forEach((container, i) => {
    const at = path.index(i);
    errors.push(...validateContainerCommon(container, volumes, at));
    if (names.has(container.name))
      errors.push(fieldErrors.duplicate(at.child('name'), container.name));
    else names.add(container.name);
    errors.push(...validateProbesAndLifecycle(container, at));
    errors.push(...validateProbesForRegular(container, at));
    if (container.restartPolicy !== undefined) {
      errors.push(
        fieldErrors.forbidden(
          at.child('restartPolicy'),
          'may not be set for non-init containers',
        ),
      );
    }
    if (hostNetwork) {
      (container.ports ?? []).forEach((port: Obj, j: number) => {
        if (port.hostPort && port.hostPort !== port.containerPort) {
          errors.push(
            fieldErrors.invalid(
              at.child('ports').index(j).child('hostPort'),
              port.hostPort,
              'must match `containerPort` when `hostNetwork` is true',
            ),
          );
        }
      });
    }
  });
  return errors;
}

function validateInitContainers(
  initContainers: Obj[] | undefined,
  containers: Obj[] | undefined,
  volumes: Set<string>,
  path: FieldPath,
): FieldError[] {
  const errors: FieldError[] = [];
  const names = new Set<string>((containers ?? []).map(c => c.name));
  (initContainers ?? []).forEach((container, i) => {
    const at = path.index(i);
    errors.push(...validateContainerCommon(container, volumes, at));
    if (names.has(container.name))
      errors.push(fieldErrors.duplicate(at.child('name'), container.name));
    else names.add(container.name);
    const restartable = container.restartPolicy === 'Always';
    if (restartable) errors.push(...validateProbesAndLifecycle(container, at));
    if (container.restartPolicy !== undefined && !restartable) {
      errors.push(
        fieldErrors.notSupported(
          at.child('restartPolicy'),
          container.restartPolicy,
          ['Always'],
        ),
      );
    }
    if (!restartable) {
      for (const field of [
        'lifecycle',
        'livenessProbe',
        'readinessProbe',
        'startupProbe',
      ]) {
        if (container[field]) {
          errors.push(
            fieldErrors.forbidden(
              at.child(field),
              'may not be set for init containers without restartPolicy=Always',
            ),
          );
        }
      }
    }
  });
  return errors;
}

function validateEphemeralContainers(
  ephemeral: Obj[] | undefined,
  containers: Obj[] | undefined,
  initContainers: Obj[] | undefined,
  volumes: Set<string>,
  path: FieldPath,
): FieldError[] {
  const errors: FieldError[] = [];
  const others = new Set<string>(
    [...(containers ?? []), ...(initContainers ?? [])].map(c => c.name),
  );
  const seen = new Set<string>();
  (ephemeral ?? []).forEach((container, i) => {
    const at = path.index(i);
    errors.push(...validateContainerCommon(container, volumes, at));
    if (others.has(container.name)) {
      errors.push(
        fieldErrors.invalid(
          at.child('name'),
          container.name,
          'must be unique among all containers, init containers and ephemeral containers',
        ),
      );
    } else if (seen.has(container.name)) {
      errors.push(fieldErrors.duplicate(at.child('name'), container.name));
    } else {
      seen.add(container.name);
    }
    if (
      container.targetContainerName &&
      !others.has(container.targetContainerName)
    ) {
      errors.push(
        fieldErrors.notFound(
          at.child('targetContainerName'),
          container.targetContainerName,
        ),
      );
    }
    for (const field of Object.keys(container)) {
      const value = container[field];
      const set =
        value !== undefined &&
        value !== null &&
        !(typeof value === 'object' && Object.keys(value).length === 0);
      if (set && !EPHEMERAL_ALLOWED.has(field)) {
        errors.push(
          fieldErrors.forbidden(
            at.child(field),
            'cannot be set for an Ephemeral Container',
          ),
        );
      }
    }
    (container.volumeMounts ?? []).forEach((mount: Obj, j: number) => {
      for (const field of ['subPath', 'subPathExpr']) {
        if (mount[field]) {
          errors.push(
            fieldErrors.forbidden(
              at.child('volumeMounts').index(j).child(field),
              'cannot be set for an Ephemeral Container',
            ),
          );
        }
      }
    });
  });
  return errors;
}

function validateHostPorts(
  containers: Obj[],
  path: FieldPath,
  firstIndex = 0,
): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  containers.forEach((container, offset) => {
    const i = firstIndex + offset;
    (container.ports ?? []).forEach((port: Obj, j: number) => {
      if (!port.hostPort) return;
      const key = `${port.protocol ?? ''}/${port.hostIP ?? ''}/${
        port.hostPort
      }`;
      if (seen.has(key)) {
        errors.push(
          fieldErrors.duplicate(
            path.index(i).child('ports').index(j).child('hostPort'),
            key,
          ),
        );
      }
      seen.add(key);
    });
  });
  return errors;
}

function validateTaintEffect(
  effect: string | undefined,
  allowEmpty: boolean,
  path: FieldPath,
): FieldError[] {
  if (!effect) return allowEmpty ? [] : [fieldErrors.required(path)];
  return TAINT_EFFECTS.includes(effect)
    ? []
    : [fieldErrors.notSupported(path, effect, TAINT_EFFECTS)];
}

/** Validates tolerations (ValidateTolerations). */
export function validateTolerations(
  tolerations: Obj[] | undefined,
  path: FieldPath,
): FieldError[] {
  const errors: FieldError[] = [];
  (tolerations ?? []).forEach((toleration, i) => {
    const at = path.index(i);
    const key = toleration.key ?? '';
    const operator = toleration.operator ?? '';
    if (key) errors.push(...validateLabelName(key, at.child('key')));
    if (!key && operator !== 'Exists') {
      errors.push(
        fieldErrors.invalid(
          at.child('operator'),
          operator,
          'operator must be Exists when `key` is empty, which means "match all values and all keys"',
        ),
      );
    }
    if (
      toleration.tolerationSeconds !== undefined &&
      toleration.tolerationSeconds !== null &&
      toleration.effect !== 'NoExecute'
    ) {
      errors.push(
        fieldErrors.invalid(
          at.child('effect'),
          toleration.effect ?? '',
          "effect must be 'NoExecute' when `tolerationSeconds` is set",
        ),
      );
    }
    if (operator === 'Equal' || operator === '') {
      const messages = isValidLabelValue(toleration.value ?? '');
      if (messages.length) {
        errors.push(
          fieldErrors.invalid(
            at.child('operator'),
            toleration.value ?? '',
            messages.join(';'),
          ),
        );
      }
    } else if (operator === 'Exists') {
      if (toleration.value) {
        errors.push(
          fieldErrors.invalid(
            at.child('operator'),
            toleration,
            "value must be empty when `operator` is 'Exists'",
          ),
        );
      }
    } else {
      errors.push(
        fieldErrors.notSupported(at.child('operator'), operator, [
          'Equal',
          'Exists',
        ]),
      );
    }
    errors.push(
      ...validateTaintEffect(toleration.effect, true, at.child('effect')),
    );
  });
  return errors;
}

/** Validates node taints (unique by key and effect, effect required). */
export function validateTaints(
  taints: Obj[] | undefined,
  path: FieldPath,
): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  (taints ?? []).forEach((taint, i) => {
    const at = path.index(i);
    errors.push(...validateLabelName(taint.key ?? '', at.child('key')));
    const messages = isValidLabelValue(taint.value ?? '');
    if (messages.length)
      errors.push(
        fieldErrors.invalid(
          at.child('value'),
          taint.value ?? '',
          messages.join(';'),
        ),
      );
    errors.push(
      ...validateTaintEffect(taint.effect, false, at.child('effect')),
    );
    const key = `${taint.effect}\u0000${taint.key}`;
    if (seen.has(key)) {
      errors.push({
        ...fieldErrors.duplicate(at, taint),
        detail: 'taints must be unique by key and effect pair',
      });
    }
    seen.add(key);
  });
  return errors;
}

/**
 * Validates a pod spec (ValidatePodSpec): volumes, containers, init and
 * ephemeral containers, restart and DNS policies, node and service account
 * names, nodeSelector, tolerations, activeDeadlineSeconds.
 */
export function validatePodSpec(
  spec: Obj | undefined,
  path: FieldPath,
): FieldError[] {
  const s = spec ?? {};
  const [errors, volumes] = validateVolumes(s.volumes, path.child('volumes'));
  errors.push(
    ...validateContainers(
      s.containers,
      volumes,
      s.hostNetwork === true,
      path.child('containers'),
    ),
  );
  errors.push(
    ...validateInitContainers(
      s.initContainers,
      s.containers,
      volumes,
      path.child('initContainers'),
    ),
  );
  errors.push(
    ...validateEphemeralContainers(
      s.ephemeralContainers,
      s.containers,
      s.initContainers,
      volumes,
      path.child('ephemeralContainers'),
    ),
  );
  errors.push(
    ...validateHostPorts(s.containers ?? [], path.child('containers')),
  );
  // Init containers run one at a time, so each is checked on its own.
  (s.initContainers ?? []).forEach((container: Obj, i: number) =>
    errors.push(
      ...validateHostPorts([container], path.child('initContainers'), i),
    ),
  );
  if (!s.restartPolicy) {
    errors.push(fieldErrors.required(path.child('restartPolicy')));
  } else if (!RESTART_POLICIES.includes(s.restartPolicy)) {
    errors.push(
      fieldErrors.notSupported(
        path.child('restartPolicy'),
        s.restartPolicy,
        RESTART_POLICIES,
      ),
    );
  }
  if (!s.dnsPolicy) {
    errors.push(fieldErrors.required(path.child('dnsPolicy')));
  } else if (!DNS_POLICIES.includes(s.dnsPolicy)) {
    errors.push(
      fieldErrors.notSupported(
        path.child('dnsPolicy'),
        s.dnsPolicy,
        DNS_POLICIES,
      ),
    );
  }
  errors.push(...validateLabels(s.nodeSelector, path.child('nodeSelector')));
  if (s.serviceAccountName)
    errors.push(
      ...dnsSubdomain(s.serviceAccountName, path.child('serviceAccountName')),
    );
  if (s.nodeName)
    errors.push(...dnsSubdomain(s.nodeName, path.child('nodeName')));
  if (
    s.activeDeadlineSeconds !== undefined &&
    s.activeDeadlineSeconds !== null
  ) {
    const value = s.activeDeadlineSeconds;
    if (value < 1 || value > MAX_INT32) {
      errors.push(
        fieldErrors.invalid(
          path.child('activeDeadlineSeconds'),
          value,
          inclusiveRange(1, MAX_INT32),
        ),
      );
    }
  }
  errors.push(...validateTolerations(s.tolerations, path.child('tolerations')));
  return errors;
}

/** Validates a pod on create (ValidatePodCreate). */
export function validatePodCreate(pod: Obj): FieldError[] {
  const errors = validateObjectMeta(pod.metadata, true, nameIsDnsSubdomain);
  errors.push(...validatePodSpec(pod.spec, SPEC));
  if (pod.spec?.ephemeralContainers?.length) {
    errors.push(
      fieldErrors.forbidden(
        SPEC.child('ephemeralContainers'),
        'cannot be set on create',
      ),
    );
  }
  if (pod.spec?.nodeName && pod.spec?.schedulingGates?.length) {
    errors.push(
      fieldErrors.forbidden(
        SPEC.child('nodeName'),
        'cannot be set until all schedulingGates have been cleared',
      ),
    );
  }
  return errors;
}

function validateContainerUpdates(
  newContainers: Obj[] | undefined,
  oldContainers: Obj[] | undefined,
  path: FieldPath,
): [FieldError[], boolean] {
  const n = newContainers ?? [];
  const o = oldContainers ?? [];
  if (n.length !== o.length) {
    return [
      [
        fieldErrors.forbidden(
          path,
          'pod updates may not add or remove containers',
        ),
      ],
      true,
    ];
  }
  const errors: FieldError[] = [];
  n.forEach((container, i) => {
    const image = String(container.image ?? '');
    if (!image) errors.push(fieldErrors.required(path.index(i).child('image')));
    if (image.trim().length !== image.length) {
      errors.push(
        fieldErrors.invalid(
          path.index(i).child('image'),
          image,
          'must not have leading or trailing whitespace',
        ),
      );
    }
  });
  return [errors, false];
}

function validateOnlyAddedTolerations(
  newTolerations: Obj[] | undefined,
  oldTolerations: Obj[] | undefined,
  path: FieldPath,
): FieldError[] {
  for (const old of oldTolerations ?? []) {
    const found = (newTolerations ?? []).some(candidate =>
      semanticEqual(
        { ...old, tolerationSeconds: candidate.tolerationSeconds },
        candidate,
      ),
    );
    if (!found) {
      return [
        fieldErrors.forbidden(
          path,
          'existing toleration can not be modified except its tolerationSeconds',
        ),
      ];
    }
  }
  return validateTolerations(newTolerations, path);
}

function validateOnlyDeletedSchedulingGates(
  newGates: Obj[] | undefined,
  oldGates: Obj[] | undefined,
  path: FieldPath,
): FieldError[] {
  const oldNames = new Set((oldGates ?? []).map(g => g.name));
  const errors: FieldError[] = [];
  (newGates ?? []).forEach((gate, i) => {
    if (!oldNames.has(gate.name)) {
      errors.push(
        fieldErrors.forbidden(
          path.index(i).child('name'),
          `only deletion is allowed, but found new scheduling gate '${gate.name}'`,
        ),
      );
    }
  });
  return errors;
}

/** A line-per-field diff of two specs, standing in for Go's cmp.Diff. */
export function describeSpecDiff(
  oldSpec: unknown,
  newSpec: unknown,
  prefix = 'spec',
): string {
  const lines: string[] = [];
  const walk = (a: unknown, b: unknown, at: string) => {
    if (semanticEqual(a, b)) return;
    const bothObjects =
      a &&
      b &&
      typeof a === 'object' &&
      typeof b === 'object' &&
      Array.isArray(a) === Array.isArray(b);
    if (
      bothObjects &&
      (!Array.isArray(a) || (a as unknown[]).length === (b as unknown[]).length)
    ) {
      const keys = [
        ...new Set([...Object.keys(a as Obj), ...Object.keys(b as Obj)]),
      ];
      for (const key of keys) {
        walk(
          (a as Obj)[key],
          (b as Obj)[key],
          Array.isArray(a) ? `${at}[${key}]` : `${at}.${key}`,
        );
      }
      return;
    }
    if (a !== undefined) lines.push(`- ${at}: ${JSON.stringify(a)}`);
    if (b !== undefined) lines.push(`+ ${at}: ${JSON.stringify(b)}`);
  };
  walk(oldSpec, newSpec, prefix);
  return lines.join('\n');
}

/**
 * A write of a pod's status subresource (ValidatePodStatusUpdate): the
 * metadata rules of any update, not the spec's — the server keeps the
 * stored spec on such a write, so validating it again (the whole pod spec,
 * on each of the kubelet's status reports) would find nothing new.
 */
export function validatePodStatusUpdate(
  newPod: Obj,
  oldPod: Obj,
): FieldError[] {
  const errors = validateObjectMetaUpdate(newPod.metadata, oldPod.metadata);
  errors.push(...validateObjectMeta(newPod.metadata, true, nameIsDnsSubdomain));
  return errors;
}

/**
 * Validates a pod update (ValidatePodUpdate): only container and init
 * container images, activeDeadlineSeconds (set, or lowered), added
 * tolerations (or changed tolerationSeconds), removed scheduling gates (and,
 * on gated pods, added nodeSelector entries), and terminationGracePeriodSeconds
 * from negative to 1 may change (ephemeral containers only through their
 * subresource). The server must first carry over status from the stored pod,
 * as the pod strategy's PrepareForUpdate does.
 */
export function validatePodUpdate(newPod: Obj, oldPod: Obj): FieldError[] {
  const errors = validateObjectMetaUpdate(newPod.metadata, oldPod.metadata);
  errors.push(...validateObjectMeta(newPod.metadata, true, nameIsDnsSubdomain));
  errors.push(...validatePodSpec(newPod.spec, SPEC));
  const n: Obj = newPod.spec ?? {};
  const o: Obj = oldPod.spec ?? {};

  for (const field of ['containers', 'initContainers']) {
    const [containerErrors, stop] = validateContainerUpdates(
      n[field],
      o[field],
      SPEC.child(field),
    );
    errors.push(...containerErrors);
    if (stop) return errors;
  }

  const deadlinePath = SPEC.child('activeDeadlineSeconds');
  if (
    n.activeDeadlineSeconds !== undefined &&
    n.activeDeadlineSeconds !== null
  ) {
    const value = n.activeDeadlineSeconds;
    if (value < 0 || value > MAX_INT32) {
      errors.push(
        fieldErrors.invalid(deadlinePath, value, inclusiveRange(0, MAX_INT32)),
      );
      return errors;
    }
    if (
      o.activeDeadlineSeconds !== undefined &&
      o.activeDeadlineSeconds !== null &&
      o.activeDeadlineSeconds < value
    ) {
      errors.push(
        fieldErrors.invalid(
          deadlinePath,
          value,
          'must be less than or equal to previous value',
        ),
      );
      return errors;
    }
  } else if (
    o.activeDeadlineSeconds !== undefined &&
    o.activeDeadlineSeconds !== null
  ) {
    errors.push(
      fieldErrors.invalid(
        deadlinePath,
        null,
        'must not update from a positive integer to nil value',
      ),
    );
  }

  errors.push(
    ...validateOnlyAddedTolerations(
      n.tolerations,
      o.tolerations,
      SPEC.child('tolerations'),
    ),
  );
  errors.push(
    ...validateOnlyDeletedSchedulingGates(
      n.schedulingGates,
      o.schedulingGates,
      SPEC.child('schedulingGates'),
    ),
  );
  if (semanticEqual(n, o)) return errors;

  // Copy the updatable fields from the old spec, then nothing else may differ.
  const munged: Obj = { ...n };
  for (const field of ['containers', 'initContainers']) {
    if (munged[field]) {
      munged[field] = munged[field].map((c: Obj, i: number) => ({
        ...c,
        image: o[field][i].image,
      }));
    }
  }
  munged.activeDeadlineSeconds = o.activeDeadlineSeconds;
  munged.schedulingGates = o.schedulingGates;
  munged.tolerations = o.tolerations;
  if (
    typeof o.terminationGracePeriodSeconds === 'number' &&
    o.terminationGracePeriodSeconds < 0 &&
    munged.terminationGracePeriodSeconds === 1
  ) {
    munged.terminationGracePeriodSeconds = o.terminationGracePeriodSeconds;
  }
  if (
    o.schedulingGates?.length &&
    !semanticEqual(munged.nodeSelector, o.nodeSelector)
  ) {
    for (const [key, value] of Object.entries((o.nodeSelector ?? {}) as Obj)) {
      if (munged.nodeSelector?.[key] !== value) {
        errors.push(
          fieldErrors.forbidden(
            SPEC.child('nodeSelector'),
            `only additions to spec.nodeSelector are allowed (no mutations or deletions)`,
          ),
        );
        break;
      }
    }
    munged.nodeSelector = o.nodeSelector;
  }
  if (!semanticEqual(munged, o)) {
    errors.push(
      fieldErrors.forbidden(
        SPEC,
        `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(
          ',',
        )}\n${describeSpecDiff(o, munged)}`,
      ),
    );
  }
  return errors;
}

/**
 * Validates an update through the `ephemeralcontainers` subresource: the new
 * pod must be valid, and existing ephemeral containers may be neither removed
 * nor changed.
 */
export function validatePodEphemeralContainersUpdate(
  newPod: Obj,
  oldPod: Obj,
): FieldError[] {
  const errors = validateObjectMetaUpdate(newPod.metadata, oldPod.metadata);
  errors.push(...validateObjectMeta(newPod.metadata, true, nameIsDnsSubdomain));
  errors.push(...validatePodSpec(newPod.spec, SPEC));
  if (
    oldPod.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined
  ) {
    return [
      fieldErrors.forbidden(
        '',
        'static pods do not support ephemeral containers',
      ),
    ];
  }
  const path = SPEC.child('ephemeralContainers');
  const byName = new Map<string, Obj>(
    (newPod.spec?.ephemeralContainers ?? []).map((c: Obj) => [c.name, c]),
  );
  for (const old of oldPod.spec?.ephemeralContainers ?? []) {
    const current = byName.get(old.name);
    if (!current) {
      errors.push(
        fieldErrors.forbidden(
          path,
          `existing ephemeral containers "${old.name}" may not be removed\n`,
        ),
      );
    } else if (!semanticEqual(old, current)) {
      errors.push(
        fieldErrors.forbidden(
          path,
          `existing ephemeral containers "${
            old.name
          }" may not be changed\n${describeSpecDiff(old, current, old.name)}`,
        ),
      );
    }
  }
  return errors;
}

/** Validates a pod template's labels, annotations and spec (ValidatePodTemplateSpec). */
export function validatePodTemplateSpec(
  template: Obj | undefined,
  path: FieldPath,
): FieldError[] {
  const meta = template?.metadata ?? {};
  const errors = validateLabels(meta.labels, path.child('metadata', 'labels'));
  errors.push(...validatePodSpec(template?.spec, path.child('spec')));
  if (template?.spec?.ephemeralContainers?.length) {
    errors.push(
      fieldErrors.forbidden(
        path.child('spec', 'ephemeralContainers'),
        'ephemeral containers not allowed in pod template',
      ),
    );
  }
  return errors;
}

/** Validates a Binding posted to pods/binding (ValidatePodBinding). */
export function validatePodBinding(binding: Obj): FieldError[] {
  const errors: FieldError[] = [];
  const target: Obj = binding.target ?? {};
  if (target.kind && target.kind !== 'Node') {
    errors.push(
      fieldErrors.notSupported(FieldPath.of('target', 'kind'), target.kind, [
        'Node',
        '<empty>',
      ]),
    );
  }
  if (!target.name)
    errors.push(fieldErrors.required(FieldPath.of('target', 'name')));
  return errors;
}

/**
 * The 409 kube-apiserver returns when a pod cannot be bound (already on a
 * node, or being deleted), or undefined when the binding may proceed.
 */
export function podBindingConflict(pod: Obj): Status | undefined {
  const name = pod.metadata?.name ?? '';
  const binding = { group: '', resource: 'pods/binding' };
  if (pod.metadata?.deletionTimestamp) {
    return statusErrors.conflict(
      binding,
      name,
      `pod ${name} is being deleted, cannot be assigned to a host`,
    );
  }
  if (pod.spec?.nodeName) {
    return statusErrors.conflict(
      binding,
      name,
      `pod ${name} is already assigned to node ${goQuote(pod.spec.nodeName)}`,
    );
  }
  return undefined;
}
