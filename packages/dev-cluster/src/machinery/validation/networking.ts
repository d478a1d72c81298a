/**
 * networking.k8s.io/v1 Ingress, IngressClass and NetworkPolicy validation
 * (pkg/apis/networking/validation), the parts a manifest commonly gets wrong.
 */

import { FieldError, fieldErrors, FieldPath } from '../errors';
import { validateLabelSelector } from '../labels';
import {
  nameIsDnsSubdomain,
  Obj,
  validateImmutableField,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './meta';
import { isDns1123Subdomain, isValidPortName, isValidPortNum } from './names';

const SPEC = FieldPath.of('spec');
const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

function validateBackend(backend: Obj, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const service = backend.service;
  if (service && backend.resource) {
    errors.push(
      fieldErrors.invalid(
        path,
        '',
        'cannot set both resource and service backends',
      ),
    );
  } else if (!service && !backend.resource) {
    errors.push(
      fieldErrors.invalid(path, '', 'resource or service must be specified'),
    );
  }
  if (service) {
    const at = path.child('service');
    if (!service.name) errors.push(fieldErrors.required(at.child('name')));
    else
      for (const message of isDns1123Subdomain(service.name))
        errors.push(
          fieldErrors.invalid(at.child('name'), service.name, message),
        );
    const port = service.port ?? {};
    const hasName = !!port.name;
    const hasNumber = port.number !== undefined && port.number !== 0;
    if (hasName && hasNumber) {
      errors.push(
        fieldErrors.invalid(
          at.child('port'),
          port,
          'cannot set both port name & port number',
        ),
      );
    } else if (hasName) {
      for (const message of isValidPortName(port.name))
        errors.push(
          fieldErrors.invalid(at.child('port', 'name'), port.name, message),
        );
    } else if (hasNumber) {
      for (const message of isValidPortNum(port.number))
        errors.push(
          fieldErrors.invalid(at.child('port', 'number'), port.number, message),
        );
    } else {
      errors.push(
        fieldErrors.required(
          at.child('port'),
          'port name or number is required',
        ),
      );
    }
  }
  return errors;
}

function validateHost(host: string, path: FieldPath): FieldError[] {
  const name = host.startsWith('*.') ? host.slice(2) : host;
  return isDns1123Subdomain(name).map(message =>
    fieldErrors.invalid(path, host, message),
  );
}

function validateIngressSpec(spec: Obj | undefined): FieldError[] {
  const s = spec ?? {};
  const errors: FieldError[] = [];
  const rules: Obj[] = s.rules ?? [];
  if (!rules.length && !s.defaultBackend) {
    errors.push(
      fieldErrors.invalid(
        SPEC,
        [],
        'either `defaultBackend` or `rules` must be specified',
      ),
    );
  }
  if (s.defaultBackend)
    errors.push(
      ...validateBackend(s.defaultBackend, SPEC.child('defaultBackend')),
    );
  rules.forEach((rule, i) => {
    const at = SPEC.child('rules').index(i);
    if (rule.host) errors.push(...validateHost(rule.host, at.child('host')));
    (rule.http?.paths ?? []).forEach((p: Obj, j: number) => {
      const pathAt = at.child('http', 'paths').index(j);
      if (!p.pathType) {
        errors.push(
          fieldErrors.required(
            pathAt.child('pathType'),
            'pathType must be specified',
          ),
        );
      } else if (!PATH_TYPES.includes(p.pathType)) {
        errors.push(
          fieldErrors.notSupported(
            pathAt.child('pathType'),
            p.pathType,
            PATH_TYPES,
          ),
        );
      }
      if (
        (p.pathType === 'Exact' || p.pathType === 'Prefix') &&
        !String(p.path ?? '').startsWith('/')
      ) {
        errors.push(
          fieldErrors.invalid(
            pathAt.child('path'),
            p.path ?? '',
            'must be an absolute path',
          ),
        );
      }
      if (!p.backend)
        errors.push(fieldErrors.required(pathAt.child('backend')));
      else errors.push(...validateBackend(p.backend, pathAt.child('backend')));
    });
  });
  (s.tls ?? []).forEach((tls: Obj, i: number) => {
    (tls.hosts ?? []).forEach((host: string, j: number) =>
      errors.push(
        ...validateHost(
          host,
          SPEC.child('tls').index(i).child('hosts').index(j),
        ),
      ),
    );
  });
  return errors;
}

/** Validates an Ingress on create. */
export function validateIngress(ingress: Obj): FieldError[] {
  return [
    ...validateObjectMeta(ingress.metadata, true, nameIsDnsSubdomain),
    ...validateIngressSpec(ingress.spec),
  ];
}

/** Validates an Ingress update. */
export function validateIngressUpdate(
  newIngress: Obj,
  oldIngress: Obj,
): FieldError[] {
  return [
    ...validateObjectMetaUpdate(newIngress.metadata, oldIngress.metadata),
    ...validateIngressSpec(newIngress.spec),
  ];
}

/** Validates an IngressClass on create: a controller is required. */
export function validateIngressClass(ingressClass: Obj): FieldError[] {
  const errors = validateObjectMeta(
    ingressClass.metadata,
    false,
    nameIsDnsSubdomain,
  );
  if (!ingressClass.spec?.controller)
    errors.push(fieldErrors.required(SPEC.child('controller')));
  return errors;
}

/** Validates an IngressClass update: its controller is immutable. */
export function validateIngressClassUpdate(
  newClass: Obj,
  oldClass: Obj,
): FieldError[] {
  return [
    ...validateObjectMetaUpdate(newClass.metadata, oldClass.metadata),
    ...validateImmutableField(
      newClass.spec?.controller,
      oldClass.spec?.controller,
      SPEC.child('controller'),
    ),
  ];
}

function validatePeerPorts(ports: Obj[] | undefined, path: FieldPath) {
  const errors: FieldError[] = [];
  (ports ?? []).forEach((port, i) => {
    const at = path.index(i);
    if (port.protocol !== undefined && !PROTOCOLS.includes(port.protocol))
      errors.push(
        fieldErrors.notSupported(
          at.child('protocol'),
          port.protocol,
          PROTOCOLS,
        ),
      );
    if (typeof port.port === 'number')
      for (const message of isValidPortNum(port.port))
        errors.push(fieldErrors.invalid(at.child('port'), port.port, message));
    if (port.endPort !== undefined && port.endPort < (port.port ?? 0))
      errors.push(
        fieldErrors.invalid(
          at.child('endPort'),
          port.endPort,
          'must be greater than or equal to `port`',
        ),
      );
  });
  return errors;
}

function validatePeers(peers: Obj[] | undefined, path: FieldPath) {
  const errors: FieldError[] = [];
  (peers ?? []).forEach((peer, i) => {
    const at = path.index(i);
    const kinds = ['podSelector', 'namespaceSelector', 'ipBlock'].filter(
      k => peer[k],
    );
    if (!kinds.length)
      errors.push(fieldErrors.required(at, 'must specify a peer'));
    if (peer.ipBlock && kinds.length > 1)
      errors.push(
        fieldErrors.forbidden(
          at,
          'may not specify both ipBlock and another peer',
        ),
      );
    if (peer.podSelector)
      errors.push(
        ...validateLabelSelector(peer.podSelector, at.child('podSelector')),
      );
    if (peer.namespaceSelector)
      errors.push(
        ...validateLabelSelector(
          peer.namespaceSelector,
          at.child('namespaceSelector'),
        ),
      );
    if (peer.ipBlock && !/^[0-9a-fA-F.:]+\/\d+$/.test(peer.ipBlock.cidr ?? ''))
      errors.push(
        fieldErrors.invalid(
          at.child('ipBlock', 'cidr'),
          peer.ipBlock.cidr ?? '',
          'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
        ),
      );
  });
  return errors;
}

function validateNetworkPolicySpec(spec: Obj | undefined): FieldError[] {
  const s = spec ?? {};
  const errors: FieldError[] = [];
  if (s.podSelector)
    errors.push(
      ...validateLabelSelector(s.podSelector, SPEC.child('podSelector')),
    );
  (s.ingress ?? []).forEach((rule: Obj, i: number) => {
    const at = SPEC.child('ingress').index(i);
    errors.push(
      ...validatePeerPorts(rule.ports, at.child('ports')),
      ...validatePeers(rule.from, at.child('from')),
    );
  });
  (s.egress ?? []).forEach((rule: Obj, i: number) => {
    const at = SPEC.child('egress').index(i);
    errors.push(
      ...validatePeerPorts(rule.ports, at.child('ports')),
      ...validatePeers(rule.to, at.child('to')),
    );
  });
  const types = ['Ingress', 'Egress'];
  for (const [i, type] of (s.policyTypes ?? []).entries()) {
    if (!types.includes(type))
      errors.push(
        fieldErrors.notSupported(
          SPEC.child('policyTypes').index(i),
          type,
          types,
        ),
      );
  }
  return errors;
}

/** Validates a NetworkPolicy on create. */
export function validateNetworkPolicy(policy: Obj): FieldError[] {
  return [
    ...validateObjectMeta(policy.metadata, true, nameIsDnsSubdomain),
    ...validateNetworkPolicySpec(policy.spec),
  ];
}

/** Validates a NetworkPolicy update. */
export function validateNetworkPolicyUpdate(
  newPolicy: Obj,
  oldPolicy: Obj,
): FieldError[] {
  return [
    ...validateObjectMetaUpdate(newPolicy.metadata, oldPolicy.metadata),
    ...validateNetworkPolicySpec(newPolicy.spec),
  ];
}

/** SetDefaults_NetworkPolicy: policyTypes from the rules present (Ingress always). */
export function applyNetworkPolicyDefaults<T extends Obj>(policy: T): T {
  const spec: Obj = { ...(policy.spec ?? {}) };
  spec.podSelector ??= {};
  if (!spec.policyTypes?.length) {
    spec.policyTypes = ['Ingress', ...(spec.egress?.length ? ['Egress'] : [])];
  }
  for (const direction of ['ingress', 'egress']) {
    if (!spec[direction]) continue;
    spec[direction] = spec[direction].map((rule: Obj) =>
      rule.ports
        ? {
            ...rule,
            ports: rule.ports.map((p: Obj) => ({ protocol: 'TCP', ...p })),
          }
        : rule,
    );
  }
  return { ...policy, spec };
}
