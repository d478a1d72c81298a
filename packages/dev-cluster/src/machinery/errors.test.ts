import {
  aggregateFieldErrors,
  fieldErrorBody,
  fieldErrors,
  FieldPath,
  formatFieldError,
  goQuote,
  statusErrors,
} from './errors';

const pods = { group: '', resource: 'pods' };
const deployments = { group: 'apps', resource: 'deployments' };

describe('field errors', () => {
  it('render like field.Error', () => {
    const containers = FieldPath.of('spec', 'containers');
    expect(
      formatFieldError(
        fieldErrors.required(containers.index(0).child('image'), ''),
      ),
    ).toBe('spec.containers[0].image: Required value');
    expect(
      formatFieldError(
        fieldErrors.invalid(
          'metadata.name',
          'Foo',
          "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        ),
      ),
    ).toBe(
      `metadata.name: Invalid value: "Foo": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    );
    expect(
      formatFieldError(
        fieldErrors.notSupported('spec.restartPolicy', 'Sometimes', [
          'Always',
          'OnFailure',
          'Never',
        ]),
      ),
    ).toBe(
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    );
  });

  it('shows scalars with %v and other values as JSON', () => {
    expect(fieldErrorBody(fieldErrors.invalid('x', 3, 'must be odd'))).toBe(
      'Invalid value: 3: must be odd',
    );
    expect(fieldErrorBody(fieldErrors.invalid('x', true, ''))).toBe(
      'Invalid value: true',
    );
    expect(fieldErrorBody(fieldErrors.invalid('x', null, 'no'))).toBe(
      'Invalid value: null: no',
    );
    expect(
      fieldErrorBody(fieldErrors.invalid('x', { app: 'web' }, 'mismatch')),
    ).toBe('Invalid value: {"app":"web"}: mismatch');
  });

  it('never shows the value of required, forbidden and too-long errors', () => {
    expect(fieldErrorBody(fieldErrors.forbidden('spec', 'nope'))).toBe(
      'Forbidden: nope',
    );
    expect(
      formatFieldError(fieldErrors.tooLong('metadata.annotations', 262144)),
    ).toBe('metadata.annotations: Too long: may not be more than 262144 bytes');
    expect(fieldErrorBody(fieldErrors.tooLong('x', 1))).toBe(
      'Too long: may not be more than 1 byte',
    );
  });

  it('renders duplicate, not found and too many', () => {
    expect(
      formatFieldError(
        fieldErrors.duplicate(
          FieldPath.of('spec', 'containers').index(1).child('name'),
          'app',
        ),
      ),
    ).toBe('spec.containers[1].name: Duplicate value: "app"');
    expect(fieldErrorBody(fieldErrors.notFound('x', 'vol'))).toBe(
      'Not found: "vol"',
    );
    expect(fieldErrorBody(fieldErrors.tooMany('x', 5, 3))).toBe(
      'Too many: 5: must have at most 3 items',
    );
  });

  it('prints map keys unquoted in paths', () => {
    expect(FieldPath.of('metadata').key('app').child('x').toString()).toBe(
      'metadata[app].x',
    );
  });

  it('quotes strings like Go', () => {
    expect(goQuote('a"b\\c\nd\x01é')).toBe('"a\\"b\\\\c\\nd\\x01é"');
  });

  it('aggregates without duplicates, bracketing several', () => {
    const a = fieldErrors.required('a');
    const b = fieldErrors.required('b');
    expect(aggregateFieldErrors([])).toBe('');
    expect(aggregateFieldErrors([a, a])).toBe('a: Required value');
    expect(aggregateFieldErrors([a, b, a])).toBe(
      '[a: Required value, b: Required value]',
    );
  });
});

describe('status errors', () => {
  it('builds Invalid with causes, as for kubectl create of a bad pod', () => {
    const status = statusErrors.invalid({ group: '', kind: 'Pod' }, 'x', [
      fieldErrors.required('spec.containers[0].image'),
    ]);
    expect(status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Pod "x" is invalid: spec.containers[0].image: Required value',
      reason: 'Invalid',
      details: {
        name: 'x',
        kind: 'Pod',
        causes: [
          {
            reason: 'FieldValueRequired',
            message: 'Required value',
            field: 'spec.containers[0].image',
          },
        ],
      },
      code: 422,
    });
    // Key order matters to anyone diffing raw JSON with a real server.
    expect(Object.keys(status)).toEqual([
      'kind',
      'apiVersion',
      'metadata',
      'status',
      'message',
      'reason',
      'details',
      'code',
    ]);
  });

  it('qualifies the kind with its group and brackets several errors', () => {
    const status = statusErrors.invalid(
      { group: 'apps', kind: 'Deployment' },
      'web',
      [
        fieldErrors.required('spec.selector'),
        fieldErrors.invalid(
          'spec.replicas',
          -1,
          'must be greater than or equal to 0',
        ),
      ],
    );
    expect(status.message).toBe(
      'Deployment.apps "web" is invalid: [spec.selector: Required value, spec.replicas: Invalid value: -1: must be greater than or equal to 0]',
    );
    expect(status.details).toMatchObject({ group: 'apps', kind: 'Deployment' });
    expect(status.details?.causes).toHaveLength(2);
  });

  it('builds NotFound, AlreadyExists and Conflict with the resource as kind', () => {
    expect(statusErrors.notFound(pods, 'x')).toMatchObject({
      code: 404,
      reason: 'NotFound',
      message: 'pods "x" not found',
      details: { name: 'x', kind: 'pods' },
    });
    expect(statusErrors.notFound(deployments, 'web').message).toBe(
      'deployments.apps "web" not found',
    );
    expect(statusErrors.alreadyExists(pods, 'x')).toMatchObject({
      code: 409,
      reason: 'AlreadyExists',
      message: 'pods "x" already exists',
    });
    expect(
      statusErrors.optimisticLockConflict(deployments, 'web'),
    ).toMatchObject({
      code: 409,
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
      details: { name: 'web', group: 'apps', kind: 'deployments' },
    });
    expect(
      statusErrors.generateNameConflict(pods, 'web-abcde', 1),
    ).toMatchObject({
      message:
        'pods "web-abcde" already exists, the server was not able to generate a unique name for the object',
      details: { retryAfterSeconds: 1 },
    });
  });

  it('builds Forbidden with and without a name', () => {
    expect(
      statusErrors.forbidden(
        pods,
        '',
        'User "bob" cannot list resource "pods" in API group "" in the namespace "default"',
      ),
    ).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "default"',
      reason: 'Forbidden',
      details: { kind: 'pods' },
      code: 403,
    });
    expect(statusErrors.forbidden(pods, 'x', 'no').message).toBe(
      'pods "x" is forbidden: no',
    );
    expect(statusErrors.forbidden(undefined, '', 'no').message).toBe(
      'forbidden: no',
    );
    expect(statusErrors.namespaceTerminating(pods, 'x', 'gone').message).toBe(
      'pods "x" is forbidden: unable to create new content in namespace gone because it is being terminated',
    );
  });

  it('builds the remaining reasons with their codes', () => {
    expect(statusErrors.badRequest('bad')).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'bad',
      reason: 'BadRequest',
      code: 400,
    });
    expect(statusErrors.unauthorized()).toMatchObject({
      code: 401,
      reason: 'Unauthorized',
      message: 'Unauthorized',
    });
    expect(statusErrors.methodNotSupported(pods, 'create')).toMatchObject({
      code: 405,
      reason: 'MethodNotAllowed',
      message: 'create is not supported on resources of kind "pods"',
    });
    expect(statusErrors.tooOldResourceVersion(5, 100)).toMatchObject({
      code: 410,
      reason: 'Expired',
      message: 'too old resource version: 5 (100)',
    });
    expect(statusErrors.gone('x')).toMatchObject({ code: 410, reason: 'Gone' });
    expect(statusErrors.continueExpired().message).toMatch(
      /^The provided continue parameter is too old/,
    );
    expect(
      statusErrors.unsupportedMediaType([
        'application/json-patch+json',
        'application/merge-patch+json',
        'application/apply-patch+yaml',
      ]),
    ).toMatchObject({
      code: 415,
      reason: 'UnsupportedMediaType',
      message:
        'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
    });
    expect(statusErrors.internalError('boom')).toMatchObject({
      code: 500,
      reason: 'InternalError',
      message: 'Internal error occurred: boom',
      details: { causes: [{ message: 'boom' }] },
    });
    expect(statusErrors.notFoundPath()).toMatchObject({
      code: 404,
      message: 'the server could not find the requested resource',
      details: {},
    });
    expect(statusErrors.undecodable('Pod', 'v1', 'bad quantity').message).toBe(
      'Pod in version "v1" cannot be handled as a Pod: bad quantity',
    );
  });
});
