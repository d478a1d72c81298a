import {
  findReferences,
  lookupReference,
  ParamError,
  parseResultReference,
  resolveParams,
  substituteDeep,
  substituteParamValue,
  substituteString,
} from './substitution';

describe('substitution', () => {
  const replacements = {
    'params.name': 'world',
    'params.dotted.name': 'dots',
    'params.list': ['a', 'b', 'c'],
    'params.obj': { url: 'https://x', rev: 'main' },
    'context.pipelineRun.name': 'run-1',
    'tasks.build.results.image': 'registry/app:1',
  };

  it('replaces strings, indexes, object keys and bracketed names', () => {
    expect(
      substituteString(
        'hello $(params.name) $(params.list[1]) $(params.obj.url) $(params["dotted.name"]) $(params[\'name\'])',
        replacements,
      ),
    ).toBe('hello world b https://x dots world');
  });

  it('keeps unknown references as written', () => {
    expect(
      substituteString('$(params.nope) $(tasks.x.results.y)', replacements),
    ).toBe('$(params.nope) $(tasks.x.results.y)');
  });

  it('expands whole-element [*] references inside arrays', () => {
    expect(
      substituteDeep(
        { args: ['--x', '$(params.list[*])', '$(params.name)'] },
        replacements,
      ),
    ).toEqual({ args: ['--x', 'a', 'b', 'c', 'world'] });
  });

  it('passes arrays and objects through param values', () => {
    expect(substituteParamValue('$(params.list[*])', replacements)).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(substituteParamValue('$(params.obj[*])', replacements)).toEqual({
      url: 'https://x',
      rev: 'main',
    });
    expect(
      substituteParamValue(['$(params.list[*])', 'd'], replacements),
    ).toEqual(['a', 'b', 'c', 'd']);
    expect(substituteParamValue({ k: '$(params.name)' }, replacements)).toEqual(
      { k: 'world' },
    );
    // A whole reference without [*] passes the array too (Tekton's applyOrCorrect).
    expect(substituteParamValue('$(params.list)', replacements)).toEqual([
      'a',
      'b',
      'c',
    ]);
  });

  it('looks up references', () => {
    expect(lookupReference('params.list[5]', replacements)).toBeUndefined();
    expect(lookupReference('context.pipelineRun.name', replacements)).toBe(
      'run-1',
    );
  });

  it('finds references and result references', () => {
    expect(
      findReferences({ a: ['$(params.x) $(tasks.b.results.c[0])'] }),
    ).toEqual(['params.x', 'tasks.b.results.c[0]']);
    expect(parseResultReference('tasks.b.results.c[0]')).toEqual({
      task: 'b',
      result: 'c',
    });
    expect(parseResultReference('tasks.b.results.obj.key')).toEqual({
      task: 'b',
      result: 'obj',
    });
    expect(parseResultReference('params.x')).toBeUndefined();
  });

  describe('resolveParams', () => {
    it('applies defaults, keeps undeclared params and merges object defaults', () => {
      expect(
        resolveParams(
          [
            { name: 'a', default: 'x' },
            { name: 'b', type: 'array' },
            { name: 'o', type: 'object', default: { k1: 'v1', k2: 'v2' } },
          ],
          [
            { name: 'b', value: ['1'] },
            { name: 'o', value: { k2: 'given' } },
            { name: 'extra', value: 'e' },
          ],
          'PipelineRun ns/r',
        ),
      ).toEqual({
        'params.a': 'x',
        'params.b': ['1'],
        'params.o': { k1: 'v1', k2: 'given' },
        'params.extra': 'e',
      });
    });

    it('fails on missing and mistyped params as Tekton does', () => {
      const missing = () =>
        resolveParams([{ name: 'a' }, { name: 'b' }], [], 'PipelineRun ns/r');
      expect(missing).toThrow(ParamError);
      expect(missing).toThrow('PipelineRun ns/r missing parameters: [a b]');
      expect(() =>
        resolveParams(
          [{ name: 'a', type: 'array' }],
          [{ name: 'a', value: 'x' }],
          'PipelineRun ns/r',
        ),
      ).toThrow(expect.objectContaining({ reason: 'ParameterTypeMismatch' }));
    });

    it('takes an untyped param with properties for an object', () => {
      expect(
        resolveParams(
          [{ name: 'repo', properties: { url: {} } }],
          [{ name: 'repo', value: { url: 'https://x' } }],
          'PipelineRun ns/r',
        ),
      ).toEqual({ 'params.repo': { url: 'https://x' } });
    });
  });
});
