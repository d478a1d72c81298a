import { positiveInt } from './options';

describe('positiveInt', () => {
  it('reads a positive integer', () => {
    expect(positiveInt('pods', '10000')).toBe(10000);
    expect(positiveInt('pods', '1')).toBe(1);
  });

  it.each([undefined, '', '0', '-3', '2.5', 'many'])(
    'rejects %p, naming the option',
    value => {
      expect(() => positiveInt('pods', value)).toThrow(
        `--pods must be a positive integer, got "${value}"`,
      );
    },
  );
});
