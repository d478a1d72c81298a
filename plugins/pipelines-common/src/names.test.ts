import {
  dns1123LabelErrors,
  dns1123SubdomainErrors,
  generatedRunNamePrefix,
} from './names';

describe('dns1123LabelErrors', () => {
  it('accepts lower-case alphanumerics and inner dashes up to 63 characters', () => {
    for (const value of ['ci', '123-abc', 'a'.repeat(63)]) {
      expect(dns1123LabelErrors(value)).toEqual([]);
    }
  });

  it('refuses dots, upper case, edges that are not alphanumeric, and 64 characters', () => {
    for (const value of ['a.b', 'Ci', '-ci', 'ci-', '']) {
      expect(dns1123LabelErrors(value)).toHaveLength(1);
    }
    expect(dns1123LabelErrors('a'.repeat(64))).toEqual([
      'must be no more than 63 characters',
    ]);
  });
});

describe('dns1123SubdomainErrors', () => {
  it('accepts dotted names up to 253 characters', () => {
    expect(dns1123SubdomainErrors('v1.2.build')).toEqual([]);
    expect(dns1123SubdomainErrors('a'.repeat(253))).toEqual([]);
  });

  it('refuses 254 characters, and empty labels between dots', () => {
    expect(dns1123SubdomainErrors('a'.repeat(254))).toEqual([
      'must be no more than 253 characters',
    ]);
    expect(dns1123SubdomainErrors('a..b')).toHaveLength(1);
    expect(dns1123SubdomainErrors('a.-b')).toHaveLength(1);
  });
});

describe('generatedRunNamePrefix', () => {
  // Kubernetes appends 5 random lower-case alphanumerics to a generateName.
  const generated = (prefix: string) => `${prefix}x7k2p`;

  it('is the base and a dash when it fits', () => {
    expect(generatedRunNamePrefix('build')).toBe('build-');
  });

  it('keeps generated names within 63 characters, usable as label values', () => {
    for (const length of [57, 58, 59, 63, 200, 253]) {
      const name = generated(generatedRunNamePrefix('b'.repeat(length)));
      expect(name.length).toBeLessThanOrEqual(63);
      expect(dns1123LabelErrors(name.replace(/\./g, '-'))).toEqual([]);
    }
    expect(generated(generatedRunNamePrefix('b'.repeat(57)))).toHaveLength(63);
  });

  it('does not leave a dash or dot before its own dash where it cuts', () => {
    const base = `${'a'.repeat(55)}-.-bcd`;
    const prefix = generatedRunNamePrefix(base);
    expect(prefix).toBe(`${'a'.repeat(55)}-`);
    expect(dns1123SubdomainErrors(generated(prefix))).toEqual([]);
  });
});
