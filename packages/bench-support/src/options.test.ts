import { benchOptions, positiveInt } from './options';

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

describe('benchOptions', () => {
  const spec = {
    counts: { pods: 1000, 'list-runs': 50 },
    others: { mode: { type: 'string', default: 'both' } },
  } as const;

  it('reads counts, --no-write and the other options, with their defaults', () => {
    expect(benchOptions({ ...spec, args: [] })).toEqual({
      counts: { pods: 1000, 'list-runs': 50 },
      write: true,
      values: {
        pods: '1000',
        'list-runs': '50',
        mode: 'both',
        'no-write': false,
      },
    });
    const given = benchOptions({
      ...spec,
      args: ['--pods', '20', '--list-runs=3', '--mode', 'api', '--no-write'],
    });
    expect(given.counts).toEqual({ pods: 20, 'list-runs': 3 });
    expect(given.write).toBe(false);
    expect(given.values.mode).toBe('api');
  });

  it('refuses a count that is not a positive integer, naming it', () => {
    expect(() => benchOptions({ ...spec, args: ['--list-runs', '0'] })).toThrow(
      '--list-runs must be a positive integer, got "0"',
    );
  });

  it('refuses an option it does not know', () => {
    expect(() => benchOptions({ ...spec, args: ['--pod', '3'] })).toThrow(
      /--pod/,
    );
  });
});
