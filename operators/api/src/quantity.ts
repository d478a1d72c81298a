/**
 * Kubernetes `resource.Quantity`: parsing, exact arithmetic and canonical
 * formatting, following k8s.io/apimachinery/pkg/api/resource. Shared by the
 * dev cluster (admission, quota), the operators (quota drift) and the
 * portal (quota values validated as Kubernetes does).
 *
 * Values are held as an exact count of nano-units (a bigint), which is the
 * finest precision Kubernetes keeps: parsing rounds anything finer up to 1n.
 */

/** How a quantity is written: the suffix family it was parsed with. */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** The regular expression quoted by Kubernetes' format error. */
const QUANTITY_PATTERN = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';

/** Error messages of apimachinery's ParseQuantity. */
export const QUANTITY_FORMAT_ERROR = `quantities must match the regular expression '${QUANTITY_PATTERN}'`;
/** Message when the numeric part of a quantity cannot be read. */
export const QUANTITY_NUMERIC_ERROR =
  'unable to parse numeric part of quantity';
/** Message when the suffix of a quantity is not a known one. */
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

const NANOS_PER_UNIT = 1_000_000_000n;
/** Quantities are capped at the largest int64, in whole units. */
const MAX_NANOS = 9_223_372_036_854_775_807n * NANOS_PER_UNIT;

const DECIMAL_SUFFIXES: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const DECIMAL_SUFFIX_BY_EXPONENT = new Map(
  Object.entries(DECIMAL_SUFFIXES).map(([suffix, exp]) => [exp, suffix]),
);
const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** Thrown by {@link Quantity.parse} with apimachinery's message. */
export class QuantityParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuantityParseError';
  }
}

function pow10(exponent: number): bigint {
  return 10n ** BigInt(exponent);
}

function ceilDiv(value: bigint, divisor: bigint): bigint {
  const quotient = value / divisor;
  return value % divisor > 0n ? quotient + 1n : quotient;
}

interface SplitQuantity {
  negative: boolean;
  whole: string;
  fraction: string;
  suffix: string;
}

/** Splits `<sign><digits>.<digits><suffix>` the way parseQuantityString does. */
function splitQuantity(text: string): SplitQuantity {
  const match = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(.*)$/.exec(text)!;
  const [, sign, whole, fraction = '', suffix] = match;
  // The suffix is letters from the set, then an optional signed integer.
  if (!/^[eEinumkKMGTP]*(?:[-+]?[0-9]*)$/.test(suffix)) {
    throw new QuantityParseError(QUANTITY_FORMAT_ERROR);
  }
  if (whole === '' && fraction === '' && text.includes('.')) {
    throw new QuantityParseError(QUANTITY_NUMERIC_ERROR);
  }
  return { negative: sign === '-', whole, fraction, suffix };
}

/** Interprets a suffix as base and exponent, as the quantity suffixer does. */
function interpretSuffix(suffix: string): {
  base: 2 | 10;
  exponent: number;
  format: QuantityFormat;
} {
  if (suffix in DECIMAL_SUFFIXES) {
    return {
      base: 10,
      exponent: DECIMAL_SUFFIXES[suffix],
      format: 'DecimalSI',
    };
  }
  const binaryIndex = BINARY_SUFFIXES.indexOf(suffix);
  if (binaryIndex > 0) {
    return { base: 2, exponent: binaryIndex * 10, format: 'BinarySI' };
  }
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    const exponentText = suffix.slice(1);
    if (/^[-+]?[0-9]+$/.test(exponentText)) {
      const exponent = Number(exponentText);
      if (Math.abs(exponent) <= 2 ** 31 - 1) {
        return { base: 10, exponent, format: 'DecimalExponent' };
      }
    }
  }
  throw new QuantityParseError(QUANTITY_SUFFIX_ERROR);
}

/**
 * An exact Kubernetes resource quantity (`100m`, `1Gi`, `1e3`), immutable.
 */
export class Quantity {
  /** The value in nano-units (1 = 1n, 1e9 = 1). */
  readonly nanos: bigint;
  /** The suffix family used when formatting. */
  readonly format: QuantityFormat;

  private constructor(nanos: bigint, format: QuantityFormat) {
    this.nanos = nanos;
    this.format = format;
  }

  /**
   * Parses a quantity string (or a JSON number, as Kubernetes accepts both),
   * throwing {@link QuantityParseError} with apimachinery's messages.
   */
  static parse(input: string | number): Quantity {
    const text = typeof input === 'number' ? String(input) : input.trim();
    if (text.length === 0) {
      throw new QuantityParseError(QUANTITY_FORMAT_ERROR);
    }
    const { negative, whole, fraction, suffix } = splitQuantity(text);
    const { base, exponent, format } = interpretSuffix(suffix);

    // value = digits * 10^(-fraction.length) * base^exponent, kept in nanos.
    const digits = BigInt(`${whole}${fraction}` || '0');
    let nanos: bigint;
    if (digits === 0n) {
      nanos = 0n;
    } else {
      let numerator = digits;
      let decimalExponent = 9 - fraction.length;
      if (base === 2) {
        numerator *= 1n << BigInt(exponent);
      } else {
        decimalExponent += exponent;
      }
      if (decimalExponent >= 0) {
        // Anything past 10^40 units is over the cap anyway.
        nanos =
          decimalExponent > 60
            ? MAX_NANOS + 1n
            : numerator * pow10(decimalExponent);
      } else if (decimalExponent < -60) {
        nanos = 1n;
      } else {
        // Round up, away from zero: asking for a little gets the minimum.
        nanos = ceilDiv(numerator, pow10(-decimalExponent));
      }
      if (nanos > MAX_NANOS) {
        nanos = MAX_NANOS;
      }
    }
    return new Quantity(negative ? -nanos : nanos, format);
  }

  /** Like {@link Quantity.parse}, but returns undefined for invalid input. */
  static tryParse(input: unknown): Quantity | undefined {
    if (typeof input !== 'string' && typeof input !== 'number') {
      return undefined;
    }
    try {
      return Quantity.parse(input);
    } catch {
      return undefined;
    }
  }

  /** A quantity of `milli` thousandths of a unit (e.g. millicores). */
  static fromMilli(
    milli: number | bigint,
    format: QuantityFormat = 'DecimalSI',
  ): Quantity {
    return new Quantity(BigInt(milli) * 1_000_000n, format);
  }

  /** A quantity of whole units (e.g. bytes). */
  static fromValue(
    value: number | bigint,
    format: QuantityFormat = 'DecimalSI',
  ): Quantity {
    return new Quantity(BigInt(value) * NANOS_PER_UNIT, format);
  }

  /** The zero quantity, in the given format. */
  static zero(format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(0n, format);
  }

  /** True when the value is zero. */
  isZero(): boolean {
    return this.nanos === 0n;
  }

  /** The sum; a zero left operand takes the right operand's format, as in Go. */
  add(other: Quantity): Quantity {
    return new Quantity(
      this.nanos + other.nanos,
      this.isZero() ? other.format : this.format,
    );
  }

  /** The difference; a zero left operand takes the right operand's format. */
  sub(other: Quantity): Quantity {
    return new Quantity(
      this.nanos - other.nanos,
      this.isZero() ? other.format : this.format,
    );
  }

  /** The negated quantity. */
  neg(): Quantity {
    return new Quantity(-this.nanos, this.format);
  }

  /** -1, 0 or 1 as this is less than, equal to or greater than `other`. */
  cmp(other: Quantity): -1 | 0 | 1 {
    if (this.nanos < other.nanos) return -1;
    return this.nanos > other.nanos ? 1 : 0;
  }

  /** The value in whole units, rounded up (Go's `Value()`). */
  value(): number {
    return Number(ceilDiv(this.nanos, NANOS_PER_UNIT));
  }

  /** The value in thousandths, rounded up (Go's `MilliValue()`). */
  milliValue(): number {
    return Number(ceilDiv(this.nanos, 1_000_000n));
  }

  /** The value as a floating-point number of units (for scoring, not for comparisons). */
  toNumber(): number {
    return Number(this.nanos) / 1e9;
  }

  /**
   * The canonical string, as the API server writes it back: no fraction,
   * the largest suffix that loses no precision (`0.1` → `100m`,
   * `1024Mi` → `1Gi`, `1.5Ki` → `1536`).
   */
  toString(): string {
    if (this.nanos === 0n) {
      return '0';
    }
    let format = this.format;
    if (format === 'BinarySI') {
      const magnitude = this.nanos < 0n ? -this.nanos : this.nanos;
      if (
        magnitude < 1024n * NANOS_PER_UNIT ||
        magnitude % NANOS_PER_UNIT !== 0n
      ) {
        format = 'DecimalSI';
      }
    }
    if (format === 'BinarySI') {
      let mantissa = this.nanos / NANOS_PER_UNIT;
      let power = 0;
      while (mantissa % 1024n === 0n && power < BINARY_SUFFIXES.length - 1) {
        mantissa /= 1024n;
        power++;
      }
      return `${mantissa}${BINARY_SUFFIXES[power]}`;
    }
    // Largest exponent, a multiple of 3, that keeps the mantissa an integer.
    let mantissa = this.nanos;
    let exponent = -9;
    while (mantissa % 1000n === 0n) {
      mantissa /= 1000n;
      exponent += 3;
    }
    if (format === 'DecimalExponent') {
      return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
    }
    return `${mantissa}${
      DECIMAL_SUFFIX_BY_EXPONENT.get(exponent) ?? `e${exponent}`
    }`;
  }

  /** Serialises as the canonical string, like the Go type does. */
  toJSON(): string {
    return this.toString();
  }
}

/**
 * Rewrites a quantity as the API server stores it (`"0.5"` → `"500m"`),
 * throwing {@link QuantityParseError} when it is not a quantity.
 */
export function canonicalQuantity(input: string | number): string {
  return Quantity.parse(input).toString();
}
