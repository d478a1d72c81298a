/**
 * Field errors and `metav1.Status` errors, rendered exactly as
 * k8s.io/apimachinery's `field.Error` and `api/errors` render them.
 */

/** The machine-readable cause type of a field error (`StatusCause.reason`). */
export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueTooFew'
  | 'FieldValueTooShort'
  | 'InternalError'
  | 'FieldValueTypeInvalid';

/**
 * One field-level validation error. `value` undefined means "omitted"
 * (the body then shows no value); `null` renders as `null`.
 */
export interface FieldError {
  type: FieldErrorType;
  field: string;
  value?: unknown;
  detail: string;
}

const TYPE_TEXT: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueTooFew: 'Too few',
  FieldValueTooShort: 'Too short',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

/** Types whose body never shows the bad value. */
const VALUELESS_TYPES = new Set<FieldErrorType>([
  'FieldValueRequired',
  'FieldValueForbidden',
  'FieldValueTooLong',
  'FieldValueTooShort',
  'InternalError',
]);

/** Go's strconv.Quote: double-quoted, with Go escapes for control characters. */
export function goQuote(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    switch (char) {
      case '"':
        out += '\\"';
        break;
      case '\\':
        out += '\\\\';
        break;
      case '\x07':
        out += '\\a';
        break;
      case '\b':
        out += '\\b';
        break;
      case '\f':
        out += '\\f';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\v':
        out += '\\v';
        break;
      default:
        if (code < 0x20 || code === 0x7f) {
          out += `\\x${code.toString(16).padStart(2, '0')}`;
        } else {
          out += char;
        }
    }
  }
  return `${out}"`;
}

/** Renders a bad value as field.Error does: %q for strings, %v for scalars, JSON otherwise. */
function renderValue(value: unknown): string {
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  return JSON.stringify(value) ?? 'null';
}

/** The error text without the field path (`StatusCause.message`). */
export function fieldErrorBody(error: FieldError): string {
  let body = TYPE_TEXT[error.type];
  if (!VALUELESS_TYPES.has(error.type) && error.value !== undefined) {
    body += `: ${renderValue(error.value)}`;
  }
  if (error.detail) {
    body += `: ${error.detail}`;
  }
  return body;
}

/** The full error text: `<field>: <body>`. */
export function formatFieldError(error: FieldError): string {
  return `${error.field}: ${fieldErrorBody(error)}`;
}

/**
 * Joins errors as utilerrors.Aggregate does: duplicates dropped, one error
 * bare, several as `[a, b]`. Empty string for no errors.
 */
export function aggregateFieldErrors(errors: readonly FieldError[]): string {
  const messages = [...new Set(errors.map(formatFieldError))];
  if (messages.length <= 1) return messages[0] ?? '';
  return `[${messages.join(', ')}]`;
}

/**
 * A field path as field.Path prints it: `spec.containers[0].image`,
 * `metadata.labels[app]`.
 */
export class FieldPath {
  private constructor(private readonly text: string) {}

  /** A root path from one or more field names (`FieldPath.of('metadata', 'name')`). */
  static of(...names: string[]): FieldPath {
    return new FieldPath(names.join('.'));
  }

  /** A child field. */
  child(...names: string[]): FieldPath {
    const suffix = names.join('.');
    return new FieldPath(this.text ? `${this.text}.${suffix}` : suffix);
  }

  /** A list element. */
  index(index: number): FieldPath {
    return new FieldPath(`${this.text}[${index}]`);
  }

  /** A map entry, printed unquoted. */
  key(key: string): FieldPath {
    return new FieldPath(`${this.text}[${key}]`);
  }

  toString(): string {
    return this.text;
  }
}

type PathLike = FieldPath | string;

/** Constructors of field errors, named and worded as in the `field` package. */
export const fieldErrors = {
  /** `Required value` (plus detail). */
  required(path: PathLike, detail = ''): FieldError {
    return { type: 'FieldValueRequired', field: String(path), detail };
  },
  /** `Invalid value: <value>: <detail>`. */
  invalid(path: PathLike, value: unknown, detail = ''): FieldError {
    return { type: 'FieldValueInvalid', field: String(path), value, detail };
  },
  /** `Invalid value` for a schema type mismatch (cause FieldValueTypeInvalid). */
  typeInvalid(path: PathLike, value: unknown, detail: string): FieldError {
    return {
      type: 'FieldValueTypeInvalid',
      field: String(path),
      value,
      detail,
    };
  },
  /** `Unsupported value: <value>: supported values: "a", "b"`. */
  notSupported(
    path: PathLike,
    value: unknown,
    validValues: readonly string[],
  ): FieldError {
    return {
      type: 'FieldValueNotSupported',
      field: String(path),
      value,
      detail: validValues.length
        ? `supported values: ${validValues.map(goQuote).join(', ')}`
        : '',
    };
  },
  /** `Forbidden: <detail>`. */
  forbidden(path: PathLike, detail: string): FieldError {
    return { type: 'FieldValueForbidden', field: String(path), detail };
  },
  /** `Duplicate value: <value>`. */
  duplicate(path: PathLike, value: unknown): FieldError {
    return {
      type: 'FieldValueDuplicate',
      field: String(path),
      value,
      detail: '',
    };
  },
  /** `Not found: <value>`. */
  notFound(path: PathLike, value: unknown): FieldError {
    return {
      type: 'FieldValueNotFound',
      field: String(path),
      value,
      detail: '',
    };
  },
  /** `Too long: may not be more than <n> bytes`. */
  tooLong(path: PathLike, maxLength: number): FieldError {
    return {
      type: 'FieldValueTooLong',
      field: String(path),
      detail:
        maxLength >= 0
          ? `may not be more than ${maxLength} ${
              maxLength === 1 ? 'byte' : 'bytes'
            }`
          : 'value is too long',
    };
  },
  /** `Too many: <actual>: must have at most <n> items`. */
  tooMany(path: PathLike, actual: number, max: number): FieldError {
    return {
      type: 'FieldValueTooMany',
      field: String(path),
      value: actual >= 0 ? actual : undefined,
      detail:
        max >= 0
          ? `must have at most ${max} ${max === 1 ? 'item' : 'items'}`
          : 'has too many items',
    };
  },
  /** `Internal error: <detail>`. */
  internal(path: PathLike, detail: string): FieldError {
    return { type: 'InternalError', field: String(path), detail };
  },
};

/** One entry of `Status.details.causes`. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** A `metav1.Status` as the API server serialises it. */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: StatusCause[];
    retryAfterSeconds?: number;
  };
  code: number;
}

/** Identifies a resource for error messages: `deployments.apps`, `pods`. */
export interface GroupResource {
  group: string;
  resource: string;
}

const STATUS_HEAD = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
} as const;

function groupResourceText({ group, resource }: GroupResource): string {
  return group ? `${resource}.${group}` : resource;
}

function failure(
  code: number,
  reason: string,
  message: string,
  details?: Status['details'],
): Status {
  if (!details) {
    return { ...STATUS_HEAD, message, reason, code };
  }
  // Same key order as the Go struct, and no empty fields (omitempty).
  const { name, group, kind, uid, causes, retryAfterSeconds } = details;
  return {
    ...STATUS_HEAD,
    message,
    reason,
    details: {
      ...(name ? { name } : {}),
      ...(group ? { group } : {}),
      ...(kind ? { kind } : {}),
      ...(uid ? { uid } : {}),
      ...(causes?.length ? { causes } : {}),
      ...(retryAfterSeconds ? { retryAfterSeconds } : {}),
    },
    code,
  };
}

function resourceDetails(gr: GroupResource, name?: string): Status['details'] {
  return { name, group: gr.group, kind: gr.resource };
}

/**
 * The Status errors of k8s.io/apimachinery/pkg/api/errors, with the same
 * codes, reasons, details and messages.
 */
export const statusErrors = {
  /** 422 Invalid: `Pod "x" is invalid: <errors>`; kind is the Kind, not the resource. */
  invalid(
    groupKind: { group: string; kind: string },
    name: string,
    errors: readonly FieldError[],
  ): Status {
    const qualifiedKind = groupKind.group
      ? `${groupKind.kind}.${groupKind.group}`
      : groupKind.kind;
    const aggregate = aggregateFieldErrors(errors);
    const message = aggregate
      ? `${qualifiedKind} ${goQuote(name)} is invalid: ${aggregate}`
      : `${qualifiedKind} ${goQuote(name)} is invalid`;
    const causes = errors.map(error => ({
      reason: error.type,
      message: fieldErrorBody(error),
      field: error.field,
    }));
    return failure(422, 'Invalid', message, {
      name,
      group: groupKind.group,
      kind: groupKind.kind,
      causes,
    });
  },

  /** 404 NotFound: `pods "x" not found`. */
  notFound(gr: GroupResource, name: string): Status {
    return failure(
      404,
      'NotFound',
      `${groupResourceText(gr)} ${goQuote(name)} not found`,
      resourceDetails(gr, name),
    );
  },

  /** 404 for a URL the server does not serve. */
  notFoundPath(): Status {
    return failure(
      404,
      'NotFound',
      'the server could not find the requested resource',
      {},
    );
  },

  /** 409 AlreadyExists: `pods "x" already exists`. */
  alreadyExists(gr: GroupResource, name: string): Status {
    return failure(
      409,
      'AlreadyExists',
      `${groupResourceText(gr)} ${goQuote(name)} already exists`,
      resourceDetails(gr, name),
    );
  },

  /** 409 AlreadyExists when generateName produced a name already in use. */
  generateNameConflict(
    gr: GroupResource,
    name: string,
    retryAfterSeconds: number,
  ): Status {
    return failure(
      409,
      'AlreadyExists',
      `${groupResourceText(gr)} ${goQuote(
        name,
      )} already exists, the server was not able to generate a unique name for the object`,
      { ...resourceDetails(gr, name), retryAfterSeconds },
    );
  },

  /** 409 Conflict: `Operation cannot be fulfilled on pods "x": <reason>`. */
  conflict(gr: GroupResource, name: string, reason: string): Status {
    return failure(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${groupResourceText(gr)} ${goQuote(
        name,
      )}: ${reason}`,
      resourceDetails(gr, name),
    );
  },

  /** 409 Conflict for a stale resourceVersion on update. */
  optimisticLockConflict(gr: GroupResource, name: string): Status {
    return statusErrors.conflict(
      gr,
      name,
      'the object has been modified; please apply your changes to the latest version and try again',
    );
  },

  /**
   * 403 Forbidden: `pods "x" is forbidden: <reason>`, or without a name
   * `pods is forbidden: <reason>`, or without a resource `forbidden: <reason>`.
   */
  forbidden(
    gr: GroupResource | undefined,
    name: string,
    reason: string,
  ): Status {
    let message: string;
    if (!gr || (!gr.group && !gr.resource)) {
      message = `forbidden: ${reason}`;
    } else if (!name) {
      message = `${groupResourceText(gr)} is forbidden: ${reason}`;
    } else {
      message = `${groupResourceText(gr)} ${goQuote(
        name,
      )} is forbidden: ${reason}`;
    }
    return failure(
      403,
      'Forbidden',
      message,
      gr ? resourceDetails(gr, name) : {},
    );
  },

  /** 401 Unauthorized, as returned for a request with no valid credentials. */
  unauthorized(message = 'Unauthorized'): Status {
    return failure(401, 'Unauthorized', message);
  },

  /** 400 BadRequest with the given message. */
  badRequest(message: string): Status {
    return failure(400, 'BadRequest', message);
  },

  /** 405 MethodNotAllowed: `<action> is not supported on resources of kind "pods"`. */
  methodNotSupported(gr: GroupResource, action: string): Status {
    return failure(
      405,
      'MethodNotAllowed',
      `${action} is not supported on resources of kind ${goQuote(
        groupResourceText(gr),
      )}`,
      { group: gr.group, kind: gr.resource },
    );
  },

  /** 410 Gone with the given message. */
  gone(message: string): Status {
    return failure(410, 'Gone', message);
  },

  /** 410 Expired: a watch or list from a compacted resourceVersion. */
  resourceExpired(message: string): Status {
    return failure(410, 'Expired', message);
  },

  /** 410 Expired for a watch: `too old resource version: <requested> (<oldest>)`. */
  tooOldResourceVersion(
    requested: string | number,
    oldest: string | number,
  ): Status {
    return statusErrors.resourceExpired(
      `too old resource version: ${requested} (${oldest})`,
    );
  },

  /** 410 Expired for a list `continue` token past the compaction window. */
  continueExpired(): Status {
    return statusErrors.resourceExpired(
      'The provided continue parameter is too old to display a consistent list result. ' +
        'You can start a new list without the continue parameter, or use the continue token ' +
        'in this response to retrieve the remainder of the results. Continuing with the ' +
        'provided token results in an inconsistent list - objects that were created, ' +
        'modified, or deleted between the time the first chunk was returned and now may ' +
        'show up in the list.',
    );
  },

  /** 415 for a patch type the resource does not accept (e.g. strategic merge on a CRD). */
  unsupportedMediaType(acceptedTypes: readonly string[]): Status {
    return failure(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${acceptedTypes.join(
        ', ',
      )}`,
    );
  },

  /** 413 RequestEntityTooLarge. */
  requestEntityTooLarge(message: string): Status {
    return failure(
      413,
      'RequestEntityTooLarge',
      `Request entity too large: ${message}`,
    );
  },

  /** 429 TooManyRequests, as used for fault injection and rate limits. */
  tooManyRequests(message: string, retryAfterSeconds: number): Status {
    return failure(429, 'TooManyRequests', message, { retryAfterSeconds });
  },

  /** 500 InternalError: `Internal error occurred: <message>`. */
  internalError(message: string): Status {
    return failure(
      500,
      'InternalError',
      `Internal error occurred: ${message}`,
      {
        causes: [{ message }],
      },
    );
  },

  /** 503 ServiceUnavailable. */
  serviceUnavailable(message: string): Status {
    return failure(503, 'ServiceUnavailable', message);
  },

  /** 504 Timeout: `Timeout: <message>`. */
  timeout(message: string, retryAfterSeconds = 0): Status {
    return failure(504, 'Timeout', `Timeout: ${message}`, {
      retryAfterSeconds,
    });
  },

  /** 403 from NamespaceLifecycle when creating in a terminating namespace. */
  namespaceTerminating(
    gr: GroupResource,
    name: string,
    namespace: string,
  ): Status {
    return statusErrors.forbidden(
      gr,
      name,
      `unable to create new content in namespace ${namespace} because it is being terminated`,
    );
  },

  /** 400 when a body fails to decode: `Pod in version "v1" cannot be handled as a Pod: <reason>`. */
  undecodable(kind: string, version: string, reason: string): Status {
    return statusErrors.badRequest(
      `${kind} in version ${goQuote(
        version,
      )} cannot be handled as a ${kind}: ${reason}`,
    );
  },
};
