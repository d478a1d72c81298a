import {
  canonicalQuantity,
  Quantity,
  QUANTITY_FORMAT_ERROR,
  QUANTITY_NUMERIC_ERROR,
  QUANTITY_SUFFIX_ERROR,
} from './quantity';

describe('Quantity.parse and canonical form', () => {
  // Pairs from apimachinery's quantity_test.go table of canonical forms.
  it.each([
    ['0', '0'],
    ['0n', '0'],
    ['0Ki', '0'],
    ['1', '1'],
    ['100m', '100m'],
    ['0.1', '100m'],
    ['.5', '500m'],
    ['1000m', '1'],
    ['1500m', '1500m'],
    ['1.5', '1500m'],
    ['1000', '1k'],
    ['1500', '1500'],
    ['12e6', '12e6'],
    ['1e3', '1e3'],
    ['1.5e3', '1500'],
    ['1E3', '1e3'],
    ['1e-3', '1e-3'],
    ['100u', '100u'],
    ['0.0000000001', '1n'],
    ['1Ki', '1Ki'],
    ['1024Ki', '1Mi'],
    ['1024Mi', '1Gi'],
    ['1000Ki', '1000Ki'],
    ['1.5Ki', '1536'],
    ['0.5Gi', '512Mi'],
    ['100Mi', '100Mi'],
    ['512', '512'],
    ['0.5Ki', '512'],
    ['1M', '1M'],
    ['1000k', '1M'],
    ['1E', '1E'],
    ['-100m', '-100m'],
    ['+1', '1'],
    ['-1Gi', '-1Gi'],
    ['1.G', '1G'],
    ['9223372036854775807', '9223372036854775807'],
    ['100Ei', '9223372036854775807'],
  ])('%s is %s', (input, canonical) => {
    expect(Quantity.parse(input).toString()).toBe(canonical);
  });

  it('accepts JSON numbers', () => {
    expect(canonicalQuantity(2)).toBe('2');
    expect(canonicalQuantity(0.25)).toBe('250m');
  });

  it('rounds values finer than a nano-unit up', () => {
    expect(Quantity.parse('1.0000000001').toString()).toBe('1000000001n');
    expect(Quantity.parse('-0.0000000001').toString()).toBe('-1n');
  });

  it.each([
    ['', QUANTITY_FORMAT_ERROR],
    ['abc', QUANTITY_FORMAT_ERROR],
    ['1.2.3', QUANTITY_FORMAT_ERROR],
    ['1 Gi', QUANTITY_FORMAT_ERROR],
    ['1Gb', QUANTITY_FORMAT_ERROR],
    ['.', QUANTITY_NUMERIC_ERROR],
    ['1K', QUANTITY_SUFFIX_ERROR],
    ['1e', QUANTITY_SUFFIX_ERROR],
    ['1Ki5', QUANTITY_SUFFIX_ERROR],
    ['1mi', QUANTITY_SUFFIX_ERROR],
  ])('rejects %j with the apimachinery message', (input, message) => {
    expect(() => Quantity.parse(input)).toThrow(message);
    expect(Quantity.tryParse(input)).toBeUndefined();
  });

  it('quotes the same regular expression as Kubernetes', () => {
    expect(QUANTITY_FORMAT_ERROR).toBe(
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    );
  });
});

describe('Quantity arithmetic', () => {
  it('adds exactly across formats, keeping the left format', () => {
    const sum = Quantity.parse('100m').add(Quantity.parse('1.9'));
    expect(sum.toString()).toBe('2');
    expect(Quantity.parse('1Gi').add(Quantity.parse('512Mi')).toString()).toBe(
      '1536Mi',
    );
  });

  it('a zero left operand takes the format of the right one', () => {
    expect(Quantity.zero().add(Quantity.parse('1Gi')).toString()).toBe('1Gi');
    expect(Quantity.zero().sub(Quantity.parse('1Gi')).toString()).toBe('-1Gi');
  });

  it('compares values, not spellings', () => {
    expect(Quantity.parse('1').cmp(Quantity.parse('1000m'))).toBe(0);
    expect(Quantity.parse('1Ki').cmp(Quantity.parse('1k'))).toBe(1);
    expect(Quantity.parse('999m').cmp(Quantity.parse('1'))).toBe(-1);
  });

  it('value and milliValue round up like Go', () => {
    expect(Quantity.parse('1500m').value()).toBe(2);
    expect(Quantity.parse('1n').milliValue()).toBe(1);
    expect(Quantity.parse('2Gi').value()).toBe(2147483648);
    expect(Quantity.parse('250m').milliValue()).toBe(250);
    expect(Quantity.parse('250m').toNumber()).toBeCloseTo(0.25);
  });

  it('builds quantities from milli and whole values', () => {
    expect(Quantity.fromMilli(1500).toString()).toBe('1500m');
    expect(Quantity.fromValue(1073741824, 'BinarySI').toString()).toBe('1Gi');
    expect(Quantity.fromValue(3).neg().toString()).toBe('-3');
  });

  it('serialises to JSON as its canonical string', () => {
    expect(JSON.stringify({ cpu: Quantity.parse('0.5') })).toBe(
      '{"cpu":"500m"}',
    );
  });
});
