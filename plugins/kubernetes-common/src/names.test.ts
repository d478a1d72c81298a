import { dns1123LabelErrors, dns1123SubdomainErrors } from './names';

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
