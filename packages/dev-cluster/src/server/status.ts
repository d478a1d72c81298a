/*
 * metav1.Status errors shaped as kube-apiserver sends them (k8s.io/apimachinery
 * pkg/api/errors): same reasons, codes, details and messages.
 */

/** A cause of an Invalid or BadRequest error (metav1.StatusCause). */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** A request failure that the HTTP layer writes out as its Status. */
export class ApiError extends Error {
  readonly status: Status;

  constructor(
    code: number,
    reason: string,
    message: string,
    details?: StatusDetails,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason: reason || undefined,
      details,
      code,
    };
  }

  get code(): number {
    return this.status.code;
  }

  /** An error carrying a Status built elsewhere (e.g. by the machinery module). */
  static fromStatus(status: {
    code: number;
    reason?: string;
    message?: string;
    details?: StatusDetails;
  }): ApiError {
    return new ApiError(
      status.code,
      status.reason ?? '',
      status.message ?? '',
      status.details,
    );
  }
}

/** A group-qualified resource, e.g. `pods` or `deployments.apps`. */
export interface GroupResource {
  group: string;
  resource: string;
}

export function qualifiedResource(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

function detailsOf(gr: GroupResource, name?: string): StatusDetails {
  return {
    ...(name !== undefined && name !== '' ? { name } : {}),
    ...(gr.group ? { group: gr.group } : {}),
    kind: gr.resource,
  };
}

export function notFound(gr: GroupResource, name: string): ApiError {
  return new ApiError(
    404,
    'NotFound',
    `${qualifiedResource(gr)} "${name}" not found`,
    detailsOf(gr, name),
  );
}

export function alreadyExists(gr: GroupResource, name: string): ApiError {
  return new ApiError(
    409,
    'AlreadyExists',
    `${qualifiedResource(gr)} "${name}" already exists`,
    detailsOf(gr, name),
  );
}

export function conflict(
  gr: GroupResource,
  name: string,
  reason: string,
): ApiError {
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(
      gr,
    )} "${name}": ${reason}`,
    detailsOf(gr, name),
  );
}

export const OBJECT_MODIFIED =
  'the object has been modified; please apply your changes to the latest version and try again';

export function invalid(
  kind: { group: string; kind: string },
  name: string,
  causes: StatusCause[],
): ApiError {
  const qualifiedKind = kind.group ? `${kind.kind}.${kind.group}` : kind.kind;
  const summary =
    causes.length === 1
      ? causeText(causes[0])
      : `[${causes.map(causeText).join(', ')}]`;
  return new ApiError(
    422,
    'Invalid',
    `${qualifiedKind} "${name}" is invalid: ${summary}`,
    {
      name,
      ...(kind.group ? { group: kind.group } : {}),
      kind: kind.kind,
      causes,
    },
  );
}

function causeText(cause: StatusCause): string {
  return cause.field ? `${cause.field}: ${cause.message}` : cause.message ?? '';
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

export function methodNotAllowed(gr: GroupResource, action: string): ApiError {
  return new ApiError(
    405,
    'MethodNotAllowed',
    `${action} is not supported on resources of kind "${qualifiedResource(
      gr,
    )}"`,
    { ...(gr.group ? { group: gr.group } : {}), kind: gr.resource },
  );
}

/** The 410 a watch or paged list gets when its resourceVersion left the window. */
export function expired(message: string): ApiError {
  return new ApiError(410, 'Expired', message);
}

export function forbidden(
  gr: GroupResource,
  name: string | undefined,
  message: string,
): ApiError {
  const subject = name
    ? `${qualifiedResource(gr)} "${name}"`
    : qualifiedResource(gr);
  return new ApiError(
    403,
    'Forbidden',
    `${subject} is forbidden: ${message}`,
    detailsOf(gr, name),
  );
}

export function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', 'Unauthorized');
}

export function notAcceptable(accepted: string[]): ApiError {
  return new ApiError(
    406,
    'NotAcceptable',
    `only the following media types are accepted: ${accepted.join(', ')}`,
  );
}

export function unsupportedMediaType(accepted: string[]): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(
      ', ',
    )}`,
  );
}

export function notFoundPath(): ApiError {
  return new ApiError(
    404,
    'NotFound',
    'the server could not find the requested resource',
    {},
  );
}

export function internalError(err: unknown): ApiError {
  const message = err instanceof Error ? err.message : String(err);
  return new ApiError(
    500,
    'InternalError',
    `Internal error occurred: ${message}`,
    { causes: [{ message }] },
  );
}

/** A Status with status Success, as DELETE of some resources returns. */
export function success(d: StatusDetails): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: d,
  } as Status;
}
