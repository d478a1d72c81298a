import {
  dns1123LabelErrors,
  dns1123SubdomainErrors,
} from '@cairn/plugin-kubernetes-common';
import { generatedRunNamePrefix } from './names';

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
