/**
 * Validation of the core/v1 kinds other than Pod: Namespace, Service,
 * ConfigMap, Secret, Node, PersistentVolumeClaim (pkg/apis/core/validation).
 */

import { FieldError, fieldErrors, FieldPath } from '../errors';
import { validateLabels } from '../labels';
import { Quantity } from '../quantity';
import {
  nameIsDns1035Label,
  nameIsDnsLabel,
  nameIsDnsSubdomain,
  Obj,
  semanticEqual,
  validateImmutableField,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './meta';
import { describeSpecDiff, validateTaints } from './pod';
import {
  isConfigMapKey,
  isDns1123Label,
  isQualifiedName,
  isValidPortName,
  isValidPortNum,
} from './names';

const SPEC = FieldPath.of('spec');
/** ConfigMaps and Secrets may hold at most 1 MiB of data. */
export const MAX_SECRET_SIZE = 1024 * 1024;
const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const SESSION_AFFINITIES = ['ClientIP', 'None'];
const PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const STANDARD_FINALIZERS = new Set([
  'kubernetes',
  'kubernetes.io/pv-protection',
  'kubernetes.io/pvc-protection',
]);
const IMMUTABLE_WHEN_SET = 'field is immutable when `immutable` is set';

/** Validates a Namespace on create (name is a DNS-1123 label). */
export function validateNamespace(namespace: Obj): FieldError[] {
  const errors = validateObjectMeta(namespace.metadata, false, nameIsDnsLabel);
  for (const finalizer of namespace.spec?.finalizers ?? []) {
    errors.push(...validateFinalizerName(finalizer, SPEC.child('finalizers')));
  }
  return errors;
}

function validateFinalizerName(name: string, path: FieldPath): FieldError[] {
  const errors = isQualifiedName(name).map(m =>
    fieldErrors.invalid(path, name, m),
  );
  if (
    errors.length === 0 &&
    !name.includes('/') &&
    !STANDARD_FINALIZERS.has(name)
  ) {
    errors.push(
      fieldErrors.invalid(
        path,
        name,
        'name is neither a standard finalizer name nor is it fully qualified',
      ),
    );
  }
  return errors;
}

/** Validates a Namespace update (metadata only; spec changes go through finalize). */
export function validateNamespaceUpdate(
  newNamespace: Obj,
  oldNamespace: Obj,
): FieldError[] {
  return validateObjectMetaUpdate(newNamespace.metadata, oldNamespace.metadata);
}

const isHeadless = (service: Obj) =>
  service.spec?.clusterIPs?.[0] === 'None' ||
  service.spec?.clusterIP === 'None';

function validateServicePort(
  port: Obj,
  requireName: boolean,
  names: Set<string>,
  path: FieldPath,
): FieldError[] {
  const errors: FieldError[] = [];
  if (requireName && !port.name) {
    errors.push(fieldErrors.required(path.child('name')));
  } else if (port.name) {
    isDns1123Label(port.name).forEach(m =>
      errors.push(fieldErrors.invalid(path.child('name'), port.name, m)),
    );
    if (names.has(port.name))
      errors.push(fieldErrors.duplicate(path.child('name'), port.name));
    else names.add(port.name);
  }
  isValidPortNum(port.port).forEach(m =>
    errors.push(fieldErrors.invalid(path.child('port'), port.port ?? 0, m)),
  );
  if (!port.protocol) {
    errors.push(fieldErrors.required(path.child('protocol')));
  } else if (!PORT_PROTOCOLS.includes(port.protocol)) {
    errors.push(
      fieldErrors.notSupported(
        path.child('protocol'),
        port.protocol,
        PORT_PROTOCOLS,
      ),
    );
  }
  const target = port.targetPort;
  if (typeof target === 'number') {
    isValidPortNum(target).forEach(m =>
      errors.push(fieldErrors.invalid(path.child('targetPort'), target, m)),
    );
  } else if (typeof target === 'string') {
    isValidPortName(target).forEach(m =>
      errors.push(fieldErrors.invalid(path.child('targetPort'), target, m)),
    );
  }
  return errors;
}

/** Validates a Service on create (name is a DNS-1035 label). */
export function validateService(service: Obj): FieldError[] {
  const errors = validateObjectMeta(service.metadata, true, nameIsDns1035Label);
  const spec: Obj = service.spec ?? {};
  const ports: Obj[] = spec.ports ?? [];
  if (
    ports.length === 0 &&
    !isHeadless(service) &&
    spec.type !== 'ExternalName'
  ) {
    errors.push(fieldErrors.required(SPEC.child('ports')));
  }
  if (spec.type === 'ExternalName') {
    if (spec.clusterIPs?.length) {
      errors.push(
        fieldErrors.forbidden(
          SPEC.child('clusterIPs'),
          'may not be set for ExternalName services',
        ),
      );
    }
    const cname = String(spec.externalName ?? '').replace(/\.$/, '');
    if (!cname) errors.push(fieldErrors.required(SPEC.child('externalName')));
  }
  const names = new Set<string>();
  ports.forEach((port, i) =>
    errors.push(
      ...validateServicePort(
        port,
        ports.length > 1,
        names,
        SPEC.child('ports').index(i),
      ),
    ),
  );
  if (spec.selector)
    errors.push(...validateLabels(spec.selector, SPEC.child('selector')));
  if (!spec.sessionAffinity) {
    errors.push(fieldErrors.required(SPEC.child('sessionAffinity')));
  } else if (!SESSION_AFFINITIES.includes(spec.sessionAffinity)) {
    errors.push(
      fieldErrors.notSupported(
        SPEC.child('sessionAffinity'),
        spec.sessionAffinity,
        SESSION_AFFINITIES,
      ),
    );
  }
  if (!spec.type) {
    errors.push(fieldErrors.required(SPEC.child('type')));
  } else if (!SERVICE_TYPES.includes(spec.type)) {
    errors.push(
      fieldErrors.notSupported(SPEC.child('type'), spec.type, SERVICE_TYPES),
    );
  }
  if (spec.type === 'ClusterIP') {
    ports.forEach((port, i) => {
      if (port.nodePort) {
        errors.push(
          fieldErrors.forbidden(
            SPEC.child('ports').index(i).child('nodePort'),
            "may not be used when `type` is 'ClusterIP'",
          ),
        );
      }
    });
  }
  const seen = new Set<string>();
  ports.forEach((port, i) => {
    const key = `${port.protocol}/${port.port}`;
    if (seen.has(key)) {
      errors.push(
        fieldErrors.duplicate(SPEC.child('ports').index(i), {
          port: port.port,
          protocol: port.protocol,
        }),
      );
    }
    seen.add(key);
  });
  return errors;
}

/** Validates a Service update: the primary cluster IP may not change once set. */
export function validateServiceUpdate(
  newService: Obj,
  oldService: Obj,
): FieldError[] {
  const errors = validateObjectMetaUpdate(
    newService.metadata,
    oldService.metadata,
  );
  const n: Obj = newService.spec ?? {};
  const o: Obj = oldService.spec ?? {};
  if (n.type !== 'ExternalName' && o.type !== 'ExternalName') {
    const oldIPs: string[] = o.clusterIPs ?? (o.clusterIP ? [o.clusterIP] : []);
    const newIPs: string[] = n.clusterIPs ?? (n.clusterIP ? [n.clusterIP] : []);
    if (oldIPs.length && newIPs.length && oldIPs[0] !== newIPs[0]) {
      errors.push(
        fieldErrors.invalid(
          SPEC.child('clusterIPs').index(0),
          newIPs[0],
          'may not change once set',
        ),
      );
    }
  }
  errors.push(...validateService(newService));
  return errors;
}

const decodedLength = (base64: unknown) =>
  Buffer.from(String(base64 ?? ''), 'base64').length;
const utf8Length = (text: unknown) =>
  Buffer.byteLength(String(text ?? ''), 'utf8');

/** Validates a ConfigMap: key names, no key in both data and binaryData, 1 MiB total. */
export function validateConfigMap(configMap: Obj): FieldError[] {
  const errors = validateObjectMeta(
    configMap.metadata,
    true,
    nameIsDnsSubdomain,
  );
  const data: Obj = configMap.data ?? {};
  const binary: Obj = configMap.binaryData ?? {};
  let size = 0;
  for (const key of Object.keys(data).sort()) {
    const at = FieldPath.of('data').key(key);
    isConfigMapKey(key).forEach(m =>
      errors.push(fieldErrors.invalid(at, key, m)),
    );
    if (key in binary)
      errors.push(
        fieldErrors.invalid(at, key, 'duplicate of key present in binaryData'),
      );
    size += utf8Length(data[key]);
  }
  for (const key of Object.keys(binary).sort()) {
    isConfigMapKey(key).forEach(m =>
      errors.push(
        fieldErrors.invalid(FieldPath.of('binaryData').key(key), key, m),
      ),
    );
    size += decodedLength(binary[key]);
  }
  if (size > MAX_SECRET_SIZE)
    errors.push(fieldErrors.tooLong('', MAX_SECRET_SIZE));
  return errors;
}

/** Validates a ConfigMap update: with `immutable: true` nothing but metadata may change. */
export function validateConfigMapUpdate(
  newConfigMap: Obj,
  oldConfigMap: Obj,
): FieldError[] {
  const errors = validateObjectMetaUpdate(
    newConfigMap.metadata,
    oldConfigMap.metadata,
  );
  if (oldConfigMap.immutable === true) {
    if (newConfigMap.immutable !== true)
      errors.push(fieldErrors.forbidden('immutable', IMMUTABLE_WHEN_SET));
    if (!semanticEqual(newConfigMap.data, oldConfigMap.data))
      errors.push(fieldErrors.forbidden('data', IMMUTABLE_WHEN_SET));
    if (!semanticEqual(newConfigMap.binaryData, oldConfigMap.binaryData)) {
      errors.push(fieldErrors.forbidden('binaryData', IMMUTABLE_WHEN_SET));
    }
  }
  errors.push(...validateConfigMap(newConfigMap));
  return errors;
}

/**
 * Validates a Secret: key names, 1 MiB of decoded data, and the keys each
 * well-known type requires. `stringData` must already be merged into `data`
 * (base64), as the API server converts it before validating.
 */
export function validateSecret(secret: Obj): FieldError[] {
  const errors = validateObjectMeta(secret.metadata, true, nameIsDnsSubdomain);
  const data: Obj = secret.data ?? {};
  const dataPath = FieldPath.of('data');
  let size = 0;
  for (const key of Object.keys(data).sort()) {
    isConfigMapKey(key).forEach(m =>
      errors.push(fieldErrors.invalid(dataPath.key(key), key, m)),
    );
    size += decodedLength(data[key]);
  }
  if (size > MAX_SECRET_SIZE)
    errors.push(fieldErrors.tooLong(dataPath, MAX_SECRET_SIZE));
  const require = (key: string) => {
    if (!(key in data)) errors.push(fieldErrors.required(dataPath.key(key)));
  };
  switch (secret.type) {
    case 'kubernetes.io/service-account-token':
      if (
        !secret.metadata?.annotations?.['kubernetes.io/service-account.name']
      ) {
        errors.push(
          fieldErrors.required(
            FieldPath.of('metadata', 'annotations').key(
              'kubernetes.io/service-account.name',
            ),
          ),
        );
      }
      break;
    case 'kubernetes.io/dockercfg':
    case 'kubernetes.io/dockerconfigjson': {
      const key =
        secret.type === 'kubernetes.io/dockercfg'
          ? '.dockercfg'
          : '.dockerconfigjson';
      if (!(key in data)) {
        require(key);
        break;
      }
      try {
        JSON.parse(Buffer.from(String(data[key]), 'base64').toString('utf8'));
      } catch (e) {
        errors.push(
          fieldErrors.invalid(
            dataPath.key(key),
            '<secret contents redacted>',
            (e as Error).message,
          ),
        );
      }
      break;
    }
    case 'kubernetes.io/basic-auth':
      if (!('username' in data) && !('password' in data)) {
        require('username');
        require('password');
      }
      break;
    case 'kubernetes.io/ssh-auth':
      if (!decodedLength(data['ssh-privatekey']))
        errors.push(fieldErrors.required(dataPath.key('ssh-privatekey')));
      break;
    case 'kubernetes.io/tls':
      require('tls.crt');
      require('tls.key');
      break;
    default:
  }
  return errors;
}

/** Validates a Secret update: type is immutable, and data too when `immutable: true`. */
export function validateSecretUpdate(
  newSecret: Obj,
  oldSecret: Obj,
): FieldError[] {
  const errors = validateObjectMetaUpdate(
    newSecret.metadata,
    oldSecret.metadata,
  );
  errors.push(
    ...validateImmutableField(newSecret.type, oldSecret.type, 'type'),
  );
  if (oldSecret.immutable === true) {
    if (newSecret.immutable !== true)
      errors.push(fieldErrors.forbidden('immutable', IMMUTABLE_WHEN_SET));
    if (!semanticEqual(newSecret.data, oldSecret.data))
      errors.push(fieldErrors.forbidden('data', IMMUTABLE_WHEN_SET));
  }
  errors.push(...validateSecret(newSecret));
  return errors;
}

/** Validates a Node on create: cluster-scoped, taints, capacity quantities. */
export function validateNode(node: Obj): FieldError[] {
  const errors = validateObjectMeta(node.metadata, false, nameIsDnsSubdomain);
  errors.push(...validateTaints(node.spec?.taints, SPEC.child('taints')));
  for (const field of ['capacity', 'allocatable']) {
    for (const [name, value] of Object.entries(
      (node.status?.[field] ?? {}) as Obj,
    )) {
      const quantity = Quantity.tryParse(value);
      if (quantity && quantity.cmp(Quantity.zero()) < 0) {
        errors.push(
          fieldErrors.invalid(
            FieldPath.of('status', field).key(name),
            quantity.toString(),
            'must be greater than or equal to 0',
          ),
        );
      }
    }
  }
  return errors;
}

/** Validates a Node update: podCIDRs and providerID may only be set once. */
export function validateNodeUpdate(newNode: Obj, oldNode: Obj): FieldError[] {
  const errors = validateObjectMetaUpdate(newNode.metadata, oldNode.metadata);
  errors.push(...validateNode(newNode));
  const oldCIDRs: string[] = oldNode.spec?.podCIDRs ?? [];
  const newCIDRs: string[] = newNode.spec?.podCIDRs ?? [];
  if (oldCIDRs.length && !semanticEqual(oldCIDRs, newCIDRs)) {
    errors.push(
      fieldErrors.forbidden(
        SPEC.child('podCIDRs'),
        'node updates may not change podCIDR except from "" to valid',
      ),
    );
  }
  if (
    oldNode.spec?.providerID &&
    oldNode.spec.providerID !== newNode.spec?.providerID
  ) {
    errors.push(
      fieldErrors.forbidden(
        SPEC.child('providerID'),
        'node updates may not change providerID except from "" to valid',
      ),
    );
  }
  return errors;
}

const ACCESS_MODES = [
  'ReadOnlyMany',
  'ReadWriteMany',
  'ReadWriteOnce',
  'ReadWriteOncePod',
];

/** Validates a PersistentVolumeClaim on create: access modes and a storage request. */
export function validatePersistentVolumeClaim(claim: Obj): FieldError[] {
  const errors = validateObjectMeta(claim.metadata, true, nameIsDnsSubdomain);
  const spec: Obj = claim.spec ?? {};
  const modes: string[] = spec.accessModes ?? [];
  if (modes.length === 0) {
    errors.push(
      fieldErrors.required(
        SPEC.child('accessModes'),
        'at least 1 access mode is required',
      ),
    );
  }
  for (const mode of modes) {
    if (!ACCESS_MODES.includes(mode))
      errors.push(
        fieldErrors.notSupported(SPEC.child('accessModes'), mode, ACCESS_MODES),
      );
  }
  if (modes.includes('ReadWriteOncePod') && modes.length > 1) {
    errors.push(
      fieldErrors.forbidden(
        SPEC.child('accessModes'),
        'may not use ReadWriteOncePod with other access modes',
      ),
    );
  }
  const storage = spec.resources?.requests?.storage;
  const requestsPath = SPEC.child('resources').key('storage');
  if (storage === undefined) {
    errors.push(fieldErrors.required(requestsPath));
  } else {
    const quantity = Quantity.tryParse(storage);
    if (quantity && quantity.cmp(Quantity.zero()) <= 0) {
      errors.push(
        fieldErrors.invalid(
          requestsPath,
          quantity.toString(),
          'must be greater than zero',
        ),
      );
    }
  }
  return errors;
}

/**
 * Validates a PVC update: the spec is immutable except the storage request
 * (and volumeAttributesClassName) of a bound claim, which may not shrink
 * below the provisioned capacity.
 */
export function validatePersistentVolumeClaimUpdate(
  newClaim: Obj,
  oldClaim: Obj,
): FieldError[] {
  const errors = validateObjectMetaUpdate(newClaim.metadata, oldClaim.metadata);
  errors.push(...validatePersistentVolumeClaim(newClaim));
  const newSpec: Obj = structuredClone(newClaim.spec ?? {});
  const oldSpec: Obj = structuredClone(oldClaim.spec ?? {});
  // An empty volumeName may be set once, by the binder.
  if (!oldSpec.volumeName && newSpec.volumeName)
    oldSpec.volumeName = newSpec.volumeName;
  const bound = newClaim.status?.phase === 'Bound';
  if (bound && newSpec.resources?.requests) {
    newSpec.resources.requests.storage = oldSpec.resources?.requests?.storage;
  }
  newSpec.volumeAttributesClassName = oldSpec.volumeAttributesClassName;
  if (!semanticEqual(newSpec, oldSpec)) {
    errors.push(
      fieldErrors.forbidden(
        SPEC,
        `spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n${describeSpecDiff(
          oldSpec,
          newSpec,
        )}`,
      ),
    );
  }
  const newSize = Quantity.tryParse(
    newClaim.spec?.resources?.requests?.storage,
  );
  const capacity = Quantity.tryParse(oldClaim.status?.capacity?.storage);
  const oldSize = Quantity.tryParse(
    oldClaim.spec?.resources?.requests?.storage,
  );
  if (bound && newSize && oldSize && newSize.cmp(oldSize) < 0) {
    if (!capacity || newSize.cmp(capacity) < 0) {
      errors.push(
        fieldErrors.forbidden(
          FieldPath.of('spec', 'resources', 'requests', 'storage'),
          'field can not be less than status.capacity',
        ),
      );
    }
  }
  return errors;
}

const EVENT_LENGTH_LIMITS: Record<string, number> = {
  reportingInstance: 128,
  action: 128,
  reason: 128,
  message: 1024,
};

/**
 * Validates a core/v1 Event as kube-apiserver does for that version: the
 * involved object's namespace must match; events with an eventTime (the
 * new API) also need reportingComponent, reportingInstance, action, reason.
 */
export function validateEvent(event: Obj): FieldError[] {
  const errors = validateObjectMeta(event.metadata, true, nameIsDnsSubdomain);
  const namespace = event.metadata?.namespace ?? '';
  const involvedNamespace = event.involvedObject?.namespace ?? '';
  const mismatch = () =>
    fieldErrors.invalid(
      FieldPath.of('involvedObject', 'namespace'),
      involvedNamespace,
      'does not match event.namespace',
    );
  if (!event.eventTime) {
    if (
      involvedNamespace
        ? namespace !== involvedNamespace
        : namespace !== '' && namespace !== 'default'
    ) {
      errors.push(mismatch());
    }
    return errors;
  }
  if (
    !involvedNamespace &&
    namespace !== 'default' &&
    namespace !== 'kube-system'
  )
    errors.push(mismatch());
  if (!event.reportingComponent)
    errors.push(fieldErrors.required('reportingComponent'));
  if (event.reportingComponent) {
    isQualifiedName(event.reportingComponent).forEach(m =>
      errors.push(
        fieldErrors.invalid('reportingComponent', event.reportingComponent, m),
      ),
    );
  }
  for (const field of ['reportingInstance', 'action', 'reason']) {
    if (!event[field]) errors.push(fieldErrors.required(field));
  }
  for (const [field, limit] of Object.entries(EVENT_LENGTH_LIMITS)) {
    if (String(event[field] ?? '').length > limit) {
      errors.push(
        fieldErrors.invalid(field, '', `can have at most ${limit} characters`),
      );
    }
  }
  return errors;
}

/** Validates an Event update (events are otherwise freely updatable). */
export function validateEventUpdate(
  newEvent: Obj,
  oldEvent: Obj,
): FieldError[] {
  return [
    ...validateObjectMetaUpdate(newEvent.metadata, oldEvent.metadata),
    ...validateEvent(newEvent),
  ];
}
