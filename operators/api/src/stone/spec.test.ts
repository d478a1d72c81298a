import { threeZoneStone } from './__testUtils__/fixtures';
import { resolveMaxUnavailable, updateTypeOf, validateStoneSpec } from './spec';

describe('validateStoneSpec', () => {
  it('accepts a valid spec', () => {
    expect(validateStoneSpec(threeZoneStone().spec)).toEqual([]);
  });

  it('names each problem with its field', () => {
    const { spec } = threeZoneStone({
      strategy: 'Gamma' as any,
      updateStrategy: { type: 'Rolling' as any, maxUnavailable: 'half' },
    });
    spec.coordinates[1].group = 'a';
    spec.coordinates[2] = { group: 'C', replicas: -1, zoneset: [] };
    spec.template.spec!.containers = [];
    expect(validateStoneSpec(spec)).toEqual([
      'spec.strategy: Unsupported value: "Gamma": supported values: "Alpha", "Beta", "Omega", "Release"',
      'spec.template.spec.containers: Required value',
      'spec.coordinates[1].group: Duplicate value: "a"',
      'spec.coordinates[2].group: Invalid value: "C": must be a lowercase DNS label',
      'spec.coordinates[2].replicas: Invalid value: -1: must be a non-negative integer',
      'spec.coordinates[2].zoneset: Required value',
      'spec.updateStrategy.type: Unsupported value: "Rolling": supported values: "InPlaceIfPossible", "InPlaceOnly", "ReCreate"',
      'spec.updateStrategy.maxUnavailable: Invalid value: "half": must be a non-negative integer or a percentage like "20%"',
    ]);
  });
});

describe('resolveMaxUnavailable', () => {
  it('defaults to 1 and is never below 1', () => {
    expect(resolveMaxUnavailable(threeZoneStone().spec, 9)).toBe(1);
    expect(
      resolveMaxUnavailable(
        threeZoneStone({ updateStrategy: { maxUnavailable: 0 } }).spec,
        9,
      ),
    ).toBe(1);
  });

  it('rounds a percentage of the desired pods down', () => {
    const spec = threeZoneStone({
      updateStrategy: { maxUnavailable: '25%' },
    }).spec;
    expect(resolveMaxUnavailable(spec, 9)).toBe(2);
    expect(resolveMaxUnavailable(spec, 3)).toBe(1);
    expect(
      resolveMaxUnavailable(
        threeZoneStone({ updateStrategy: { maxUnavailable: 3 } }).spec,
        9,
      ),
    ).toBe(3);
  });
});

it('defaults the update type to InPlaceIfPossible', () => {
  expect(updateTypeOf(threeZoneStone().spec)).toBe('InPlaceIfPossible');
  expect(
    updateTypeOf(threeZoneStone({ updateStrategy: { type: 'ReCreate' } }).spec),
  ).toBe('ReCreate');
});
