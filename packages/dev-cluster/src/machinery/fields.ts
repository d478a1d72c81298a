/**
 * Field selectors (`?fieldSelector=`): parsing as k8s.io/apimachinery/pkg/fields
 * does, the selectable fields of each built-in resource as its registry
 * computes them, and the conversion check that rejects unsupported fields.
 */

import { SelectorParseError } from './labels';

/** One term of a field selector; all terms must match. */
export interface FieldRequirement {
  field: string;
  operator: '=' | '==' | '!=';
  value: string;
}

/** The selectable field values of an object, keyed by field path. */
export type FieldSet = Record<string, string>;

const TERM_OPERATORS = ['!=', '==', '='] as const;

/** Splits on commas that are not escaped with a backslash. */
function splitTerms(selector: string): string[] {
  if (selector.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < selector.length; i++) {
    const ch = selector[i];
    if (escaped) {
      escaped = false;
    } else if (ch === '\\') {
      escaped = true;
    } else if (ch === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

/** Unescapes `\\`, `\,` and `\=` in a value; bare `,` or `=` are errors. */
function unescapeValue(value: string): string {
  let out = '';
  let escaped = false;
  for (const ch of value) {
    if (escaped) {
      if (ch !== '\\' && ch !== ',' && ch !== '=') {
        throw new SelectorParseError(
          `invalid field selector: invalid escape sequence: \\${ch}`,
        );
      }
      out += ch;
      escaped = false;
    } else if (ch === '\\') {
      escaped = true;
    } else if (ch === ',' || ch === '=') {
      throw new SelectorParseError(
        `invalid field selector: unescaped character in value: ${ch}`,
      );
    } else {
      out += ch;
    }
  }
  if (escaped) {
    throw new SelectorParseError(
      'invalid field selector: invalid escape sequence: \\',
    );
  }
  return out;
}

/**
 * Parses a field selector (`metadata.name=x,status.phase!=Running`),
 * throwing {@link SelectorParseError} with apimachinery's message. Terms are
 * returned sorted, the order in which Kubernetes checks them.
 */
export function parseFieldSelector(selector: string): FieldRequirement[] {
  const requirements: FieldRequirement[] = [];
  for (const term of splitTerms(selector).sort()) {
    if (term === '') continue;
    let parsed: FieldRequirement | undefined;
    // The first operator found splits the term; keys cannot be escaped.
    for (let i = 0; i < term.length && !parsed; i++) {
      const operator = TERM_OPERATORS.find(op => term.startsWith(op, i));
      if (operator) {
        parsed = {
          field: term.slice(0, i),
          operator,
          value: unescapeValue(term.slice(i + operator.length)),
        };
      }
    }
    if (!parsed) {
      throw new SelectorParseError(
        `invalid selector: '${selector}'; can't understand '${term}'`,
      );
    }
    requirements.push(parsed);
  }
  return requirements;
}

/** True when the field set satisfies every requirement; absent fields are "". */
export function matchesFieldRequirements(
  requirements: readonly FieldRequirement[],
  fields: FieldSet,
): boolean {
  return requirements.every(({ field, operator, value }) => {
    const actual = fields[field] ?? '';
    return operator === '!=' ? actual !== value : actual === value;
  });
}

type Obj = Record<string, any>;

interface ResourceFields {
  /** Field labels the conversion accepts (besides renames). */
  supported: string[];
  /** Old names accepted and rewritten, e.g. pods' `spec.host`. */
  renames?: Record<string, string>;
  /** Whether the object-meta set includes metadata.namespace. */
  namespaced: boolean;
  /** The resource-specific selectable fields. */
  compute: (obj: Obj) => FieldSet;
}

const str = (value: unknown) =>
  value === undefined || value === null ? '' : String(value);

/** Per resource (`<group>/<resource>`, core group empty), as in the Go registries. */
const RESOURCE_FIELDS: Record<string, ResourceFields> = {
  '/pods': {
    supported: [
      'metadata.name',
      'metadata.namespace',
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'spec.hostNetwork',
      'status.phase',
      'status.podIP',
      'status.nominatedNodeName',
    ],
    renames: { 'spec.host': 'spec.nodeName' },
    namespaced: true,
    compute: pod => ({
      'spec.nodeName': str(pod.spec?.nodeName),
      'spec.restartPolicy': str(pod.spec?.restartPolicy),
      'spec.schedulerName': str(pod.spec?.schedulerName),
      'spec.serviceAccountName': str(pod.spec?.serviceAccountName),
      'spec.hostNetwork': String(pod.spec?.hostNetwork === true),
      'status.phase': str(pod.status?.phase),
      // The first of podIPs, which is what status.podIP mirrors.
      'status.podIP': str(pod.status?.podIPs?.[0]?.ip ?? pod.status?.podIP),
      'status.nominatedNodeName': str(pod.status?.nominatedNodeName),
    }),
  },
  '/events': {
    supported: [
      'involvedObject.kind',
      'involvedObject.namespace',
      'involvedObject.name',
      'involvedObject.uid',
      'involvedObject.apiVersion',
      'involvedObject.resourceVersion',
      'involvedObject.fieldPath',
      'reason',
      'reportingComponent',
      'source',
      'type',
      'metadata.namespace',
      'metadata.name',
    ],
    namespaced: true,
    compute: event => ({
      'involvedObject.kind': str(event.involvedObject?.kind),
      'involvedObject.namespace': str(event.involvedObject?.namespace),
      'involvedObject.name': str(event.involvedObject?.name),
      'involvedObject.uid': str(event.involvedObject?.uid),
      'involvedObject.apiVersion': str(event.involvedObject?.apiVersion),
      'involvedObject.resourceVersion': str(
        event.involvedObject?.resourceVersion,
      ),
      'involvedObject.fieldPath': str(event.involvedObject?.fieldPath),
      reason: str(event.reason),
      reportingComponent: str(event.reportingComponent),
      source: str(event.source?.component || event.reportingComponent),
      type: str(event.type),
    }),
  },
  '/namespaces': {
    supported: ['status.phase', 'metadata.name'],
    namespaced: false,
    compute: ns => ({ 'status.phase': str(ns.status?.phase) }),
  },
  '/secrets': {
    supported: ['type', 'metadata.namespace', 'metadata.name'],
    namespaced: true,
    compute: secret => ({ type: str(secret.type) }),
  },
  '/services': {
    supported: [
      'metadata.namespace',
      'metadata.name',
      'spec.clusterIP',
      'spec.type',
    ],
    namespaced: true,
    compute: service => ({
      'spec.clusterIP': str(service.spec?.clusterIP),
      'spec.type': str(service.spec?.type),
    }),
  },
  '/nodes': {
    supported: ['metadata.name', 'spec.unschedulable'],
    namespaced: false,
    compute: node => ({
      'spec.unschedulable': String(node.spec?.unschedulable === true),
    }),
  },
  '/replicationcontrollers': {
    supported: ['metadata.name', 'metadata.namespace', 'status.replicas'],
    namespaced: true,
    compute: rc => ({ 'status.replicas': String(rc.status?.replicas ?? 0) }),
  },
  'batch/jobs': {
    supported: ['metadata.name', 'metadata.namespace', 'status.successful'],
    namespaced: true,
    compute: job => ({
      'status.successful': String(job.status?.succeeded ?? 0),
    }),
  },
};

/** What the server knows about the resource being listed. */
export interface FieldSelectorTarget {
  group: string;
  resource: string;
  /** For custom resources: `spec.selectableFields[*].jsonPath` of the served version. */
  selectableFields?: string[];
}

function crdFieldLabel(jsonPath: string): string {
  return jsonPath.startsWith('.') ? jsonPath.slice(1) : jsonPath;
}

/**
 * Checks and normalises a parsed field selector for a resource, as the
 * scheme's field label conversion does, throwing {@link SelectorParseError}
 * with Kubernetes' message (`field label not supported: foo`, or for plain
 * resources `"foo" is not a known field selector: only "metadata.name",
 * "metadata.namespace"`). The server answers 400 BadRequest with it.
 */
export function convertFieldSelector(
  target: FieldSelectorTarget,
  requirements: readonly FieldRequirement[],
): FieldRequirement[] {
  const known = RESOURCE_FIELDS[`${target.group}/${target.resource}`];
  return requirements.map(requirement => {
    const { field } = requirement;
    if (known) {
      const renamed = known.renames?.[field];
      if (renamed) return { ...requirement, field: renamed };
      if (known.supported.includes(field)) return requirement;
      throw new SelectorParseError(`field label not supported: ${field}`);
    }
    if (field === 'metadata.name' || field === 'metadata.namespace') {
      return requirement;
    }
    if (target.selectableFields) {
      if (target.selectableFields.map(crdFieldLabel).includes(field)) {
        return requirement;
      }
      throw new SelectorParseError(`field label not supported: ${field}`);
    }
    throw new SelectorParseError(
      `"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"`,
    );
  });
}

/** Reads a simple `.a.b.c` JSON path of a CRD selectable field. */
function readJsonPath(obj: Obj, jsonPath: string): unknown {
  let current: unknown = obj;
  for (const part of crdFieldLabel(jsonPath).split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Obj)[part];
  }
  return current;
}

/** The selectable fields of an object of the given resource. */
export function selectableFieldSet(
  target: FieldSelectorTarget,
  obj: Obj,
): FieldSet {
  const known = RESOURCE_FIELDS[`${target.group}/${target.resource}`];
  const set: FieldSet = { 'metadata.name': str(obj.metadata?.name) };
  if (!known || known.namespaced) {
    set['metadata.namespace'] = str(obj.metadata?.namespace);
  }
  if (known) return { ...set, ...known.compute(obj) };
  for (const jsonPath of target.selectableFields ?? []) {
    const value = readJsonPath(obj, jsonPath);
    if (value !== undefined && value !== null && typeof value !== 'object') {
      set[crdFieldLabel(jsonPath)] = String(value);
    }
  }
  return set;
}

/**
 * Parses and checks a field selector for a resource and returns a predicate
 * over objects; throws {@link SelectorParseError} (400) for a bad selector.
 */
export function fieldSelectorMatcher(
  target: FieldSelectorTarget,
  selector: string,
): (obj: Obj) => boolean {
  const requirements = convertFieldSelector(
    target,
    parseFieldSelector(selector),
  );
  if (requirements.length === 0) return () => true;
  return obj =>
    matchesFieldRequirements(requirements, selectableFieldSet(target, obj));
}
