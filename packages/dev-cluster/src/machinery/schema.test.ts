import { formatFieldError, statusErrors } from './errors';
import {
  applySchemaDefaults,
  processCustomResource,
  pruneUnknownFields,
  StructuralSchema,
  validateAgainstSchema,
} from './schema';

const stoneSchema: StructuralSchema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['image'],
      properties: {
        image: { type: 'string', minLength: 1 },
        replicas: { type: 'integer', minimum: 0, maximum: 10, default: 1 },
        mode: { type: 'string', enum: ['Alpha', 'Beta'] },
        name: { type: 'string', pattern: '^[a-z]+$', maxLength: 5 },
        port: { 'x-kubernetes-int-or-string': true },
        ratio: { type: 'number', exclusiveMinimum: true, minimum: 0 },
        paused: { type: 'boolean', default: false },
        tags: {
          type: 'array',
          items: { type: 'string' },
          maxItems: 2,
          minItems: 1,
          'x-kubernetes-list-type': 'set',
        },
        stages: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: {
            type: 'object',
            required: ['name'],
            properties: {
              name: { type: 'string' },
              weight: { type: 'integer', default: 100 },
            },
          },
        },
        env: { type: 'object', additionalProperties: { type: 'string' } },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        template: {
          type: 'object',
          'x-kubernetes-embedded-resource': true,
          properties: {
            spec: {
              type: 'object',
              'x-kubernetes-preserve-unknown-fields': true,
            },
          },
        },
        note: { type: 'string', nullable: true },
        window: {
          type: 'object',
          default: {},
          properties: { start: { type: 'string', default: '00:00' } },
        },
      },
    },
    status: { type: 'object', properties: { phase: { type: 'string' } } },
  },
};

const stone = (spec: object) => ({
  apiVersion: 'rollouts.cairn.dev/v1',
  kind: 'Stone',
  metadata: { name: 's', namespace: 'd' },
  spec: { image: 'nginx', ...spec },
});

const errorsFor = (spec: object) =>
  processCustomResource(stone(spec), stoneSchema).errors.map(formatFieldError);

describe('validateAgainstSchema', () => {
  it('reports type mismatches as kube-apiserver does', () => {
    expect(errorsFor({ replicas: 'three' })).toEqual([
      'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
    ]);
    const [error] = processCustomResource(
      stone({ replicas: 'three' }),
      stoneSchema,
    ).errors;
    expect(error.type).toBe('FieldValueTypeInvalid');
  });

  it('reports required, enum, pattern, length and bounds', () => {
    const { errors } = processCustomResource(
      {
        ...stone({}),
        spec: { mode: 'Gamma', name: 'ABCDEF', replicas: 11, ratio: 0 },
      },
      stoneSchema,
    );
    expect(errors.map(formatFieldError)).toEqual([
      'spec.mode: Unsupported value: "Gamma": supported values: "Alpha", "Beta"',
      'spec.name: Too long: may not be more than 5 bytes',
      'spec.name: Invalid value: "ABCDEF": spec.name in body should match \'^[a-z]+$\'',
      'spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0',
      'spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10',
      'spec.image: Required value',
    ]);
  });

  it('checks arrays: items, sizes and list types', () => {
    expect(errorsFor({ tags: ['a', 'a', 1] })).toEqual([
      'spec.tags[2]: Invalid value: "integer": spec.tags[2] in body must be of type string: "integer"',
      'spec.tags: Too many: 3: must have at most 2 items',
      'spec.tags[1]: Duplicate value: "a"',
    ]);
    expect(errorsFor({ tags: [] })).toEqual([
      'spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items',
    ]);
    expect(errorsFor({ stages: [{ name: 'a' }, { name: 'a' }, {}] })).toEqual([
      'spec.stages[2].name: Required value',
      'spec.stages[1]: Duplicate value: {"name":"a"}',
    ]);
  });

  it('accepts int-or-string, nullable and additionalProperties values', () => {
    expect(errorsFor({ port: 80, note: null, env: { A: 'x' } })).toEqual([]);
    expect(errorsFor({ port: 'http' })).toEqual([]);
    expect(errorsFor({ port: true, env: { A: 1 } })).toEqual([
      'spec.env.A: Invalid value: "integer": spec.env.A in body must be of type string: "integer"',
      'spec.port: Invalid value: "boolean": spec.port in body must be of type integer: "boolean"',
      'spec.port: Invalid value: "boolean": spec.port in body must be of type string: "boolean"',
    ]);
  });

  it('requires apiVersion and kind in embedded resources', () => {
    expect(errorsFor({ template: { spec: {} } })).toEqual([
      'spec.template.apiVersion: Required value: must not be empty',
      'spec.template.kind: Required value: must not be empty',
    ]);
  });

  it('builds the 422 Status kubectl prints', () => {
    const { errors } = processCustomResource(
      stone({ replicas: -1 }),
      stoneSchema,
    );
    expect(
      statusErrors.invalid(
        { group: 'rollouts.cairn.dev', kind: 'Stone' },
        's',
        errors,
      ).message,
    ).toBe(
      'Stone.rollouts.cairn.dev "s" is invalid: spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0',
    );
  });

  it('validates formats', () => {
    const schema: StructuralSchema = {
      type: 'object',
      properties: {
        at: { type: 'string', format: 'date-time' },
        n: { type: 'integer', format: 'int32' },
      },
    };
    expect(
      validateAgainstSchema({ at: 'yesterday', n: 2 ** 40 }, schema).map(
        formatFieldError,
      ),
    ).toEqual([
      'at: Invalid value: "yesterday": at in body must be of type date-time: "yesterday"',
      'n: Invalid value: "1099511627776": n in body must be of type int32: "1099511627776"',
    ]);
  });
});

describe('pruneUnknownFields', () => {
  it('drops undeclared fields but keeps the resource root and preserved subtrees', () => {
    const { object, pruned } = pruneUnknownFields(
      {
        ...stone({
          bogus: 1,
          extra: { anything: { goes: true } },
          template: {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: 'p', junk: 1 },
            spec: { x: 1 },
            other: 2,
          },
        }),
        metadata: { name: 's', namespace: 'd', surprise: true },
        topLevel: 'x',
      },
      stoneSchema,
    );
    expect(pruned.sort()).toEqual([
      'metadata.surprise',
      'spec.bogus',
      'spec.template.metadata.junk',
      'spec.template.other',
      'topLevel',
    ]);
    expect(object.spec.extra).toEqual({ anything: { goes: true } });
    expect(object.spec.template).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { x: 1 },
    });
    expect(object.apiVersion).toBe('rollouts.cairn.dev/v1');
  });
});

describe('applySchemaDefaults', () => {
  it('defaults absent fields, recursing into defaulted objects and list items', () => {
    const result = applySchemaDefaults(
      stone({ stages: [{ name: 'a' }, { name: 'b', weight: 5 }] }),
      stoneSchema,
    );
    expect(result.spec).toMatchObject({
      replicas: 1,
      paused: false,
      window: { start: '00:00' },
      stages: [
        { name: 'a', weight: 100 },
        { name: 'b', weight: 5 },
      ],
    });
  });

  it('replaces nulls of non-nullable fields by their default, and drops the others', () => {
    const result = applySchemaDefaults(
      stone({ replicas: null, mode: null, note: null }),
      stoneSchema,
    );
    expect(result.spec.replicas).toBe(1);
    expect('mode' in result.spec).toBe(false);
    expect(result.spec.note).toBeNull();
  });

  it('does not override values that are set', () => {
    expect(
      applySchemaDefaults(stone({ replicas: 3 }), stoneSchema).spec.replicas,
    ).toBe(3);
  });
});
