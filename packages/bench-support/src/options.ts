import { parseArgs, ParseArgsConfig } from 'node:util';

/** The value of option `--<name>` as a positive integer; throws saying what to pass otherwise. */
export function positiveInt(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    throw new Error(`--${name} must be a positive integer, got "${value}"`);
  }
  return n;
}

type OtherOptions = NonNullable<ParseArgsConfig['options']>;

/** What {@link benchOptions} read. */
export interface BenchOptions<
  TCounts extends Record<string, number>,
  TOthers extends OtherOptions,
> {
  /** Each count, `--<name> <positive integer>` or its default. */
  counts: { [K in keyof TCounts]: number };
  /** Whether the report goes into docs/benchmarks.md (`--no-write`: printed only). */
  write: boolean;
  /** The other options, as `parseArgs` reads them. */
  values: ReturnType<typeof parseArgs<{ options: TOthers }>>['values'];
}

/**
 * A benchmark's command line: its counts (`--pods 1000`, each a positive
 * integer, with its default), `--no-write`, and its other options as
 * `parseArgs` takes them.
 */
export function benchOptions<
  TCounts extends Record<string, number>,
  TOthers extends OtherOptions = {},
>(spec: {
  counts: TCounts;
  others?: TOthers;
  /** The arguments; the process's own unless given. */
  args?: string[];
}): BenchOptions<TCounts, TOthers> {
  const { values }: { values: Record<string, unknown> } = parseArgs({
    args: spec.args,
    options: {
      ...Object.fromEntries(
        Object.entries(spec.counts).map(([name, value]) => [
          name,
          { type: 'string' as const, default: String(value) },
        ]),
      ),
      ...spec.others,
      'no-write': { type: 'boolean', default: false },
    },
  });
  const counts = Object.fromEntries(
    Object.keys(spec.counts).map(name => [
      name,
      positiveInt(name, values[name] as string),
    ]),
  ) as { [K in keyof TCounts]: number };
  return {
    counts,
    write: !values['no-write'],
    values: values as BenchOptions<TCounts, TOthers>['values'],
  };
}

/** The PostgreSQL a benchmark stores in: `--postgres-url`, or $CAIRN_TEST_POSTGRES_URL, or the local one. */
export const POSTGRES_URL_OPTION = {
  type: 'string',
  default:
    process.env.CAIRN_TEST_POSTGRES_URL ??
    'postgresql://postgres@127.0.0.1:5432',
} as const;
