import { buildParamForm, getParamType, validateParamInput } from './params';
import { ParamSpec } from './types';

const specs: ParamSpec[] = [
  { name: 'revision', type: 'string', description: 'Git revision' },
  { name: 'env', type: 'string', enum: ['dev', 'prod'], default: 'dev' },
  { name: 'targets', type: 'array', default: ['all'] },
  { name: 'flags', type: 'array' },
  {
    name: 'image',
    type: 'object',
    properties: { repo: { type: 'string' }, tag: { type: 'string' } },
    default: { tag: 'latest' },
  },
  { name: 'untyped', default: ['a'] },
];

describe('getParamType', () => {
  it('defaults to string, or the shape of the default', () => {
    expect(getParamType({ name: 'a' })).toBe('string');
    expect(getParamType({ name: 'a', default: 'x' })).toBe('string');
    expect(getParamType({ name: 'a', default: ['x'] })).toBe('array');
    expect(getParamType({ name: 'a', default: { k: 'v' } })).toBe('object');
    expect(getParamType({ name: 'a', type: 'array' })).toBe('array');
  });
});

describe('buildParamForm', () => {
  it('makes a field per param with type, requiredness, choices and keys', () => {
    const form = buildParamForm(specs);
    expect(form[0]).toEqual({
      name: 'revision',
      type: 'string',
      description: 'Git revision',
      required: true,
      default: undefined,
      enum: undefined,
      keys: undefined,
      initialValue: undefined,
    });
    expect(form[1]).toMatchObject({
      required: false,
      enum: ['dev', 'prod'],
      initialValue: 'dev',
    });
    expect(form[4]).toMatchObject({ type: 'object', keys: ['repo', 'tag'] });
    expect(form[5]).toMatchObject({ type: 'array', initialValue: ['a'] });
  });

  it('pre-fills a rerun with the previous run values', () => {
    const form = buildParamForm(specs, [
      { name: 'revision', value: 'main' },
      { name: 'targets', value: ['web'] },
    ]);
    expect(form.find(f => f.name === 'revision')?.initialValue).toBe('main');
    expect(form.find(f => f.name === 'targets')?.initialValue).toEqual(['web']);
    expect(form.find(f => f.name === 'env')?.initialValue).toBe('dev');
  });

  it('is empty for a pipeline without params', () => {
    expect(buildParamForm(undefined)).toEqual([]);
  });
});

describe('validateParamInput', () => {
  it('turns valid input into run params, leaving blank defaulted params out', () => {
    expect(
      validateParamInput(specs, {
        revision: 'main',
        env: '',
        flags: [],
        image: { repo: 'registry/app' },
      }),
    ).toEqual({
      params: [
        { name: 'revision', value: 'main' },
        { name: 'flags', value: [] },
        { name: 'image', value: { repo: 'registry/app' } },
      ],
      errors: [],
    });
  });

  it('says which required params are missing', () => {
    const { errors } = validateParamInput(specs, { revision: '', flags: null });
    expect(errors).toEqual([
      { param: 'revision', message: 'param "revision" is required' },
      { param: 'flags', message: 'param "flags" is required' },
    ]);
  });

  it('checks shapes against the declared types and says what to fix', () => {
    const { params, errors } = validateParamInput(specs, {
      revision: { sha: 'x' },
      env: 'qa',
      targets: 'web',
      flags: ['-v', 3, { no: 'pe' }],
      image: ['repo'],
    });
    expect(params).toEqual([]);
    expect(errors.map(e => e.message)).toEqual([
      'param "revision" is declared as a string, not an object',
      'param "env" must be one of "dev", "prod", not "qa"',
      'param "targets" is declared as an array: send a list of strings, not the string "web"',
      'param "flags" is declared as an array of strings; item 2 is the number 3; send "3"',
      'param "image" is declared as an object: send an object of string values, not a list',
    ]);
  });

  it('refuses numbers and booleans for string params rather than turning them into text', () => {
    const { params, errors } = validateParamInput(
      [{ name: 'n' }, { name: 'list', type: 'array' }],
      { n: 3, list: [true, 'x'] },
    );
    expect(params).toEqual([]);
    expect(errors).toEqual([
      {
        param: 'n',
        message:
          'param "n" is declared as a string, not the number 3; send "3"',
      },
      {
        param: 'list',
        message:
          'param "list" is declared as an array of strings; item 1 is the boolean true; send "true"',
      },
    ]);
  });

  it('requires declared object keys not covered by the default', () => {
    const { errors } = validateParamInput(specs, {
      revision: 'main',
      flags: [],
      image: { tag: 'v1' },
    });
    expect(errors).toEqual([
      { param: 'image', message: 'param "image" is missing key(s) "repo"' },
    ]);
  });

  it('rejects object values that are not strings', () => {
    const { errors } = validateParamInput([{ name: 'o', type: 'object' }], {
      o: { a: 'x', b: { nested: 'y' } },
    });
    expect(errors[0].message).toBe(
      'param "o" is declared as an object of string values; key(s) "b" are not strings',
    );
  });

  it('rejects params the pipeline does not declare', () => {
    const { errors } = validateParamInput([], { stale: 'x' });
    expect(errors).toEqual([
      {
        param: 'stale',
        message: 'param "stale" is not declared by the pipeline; remove it',
      },
    ]);
  });
});
