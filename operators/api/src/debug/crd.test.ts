import type { CrdSchema } from '../crd';
import { debugSessionCrd } from './crd';

describe('the DebugSession CRD', () => {
  // Kubernetes refuses a non-structural schema: every node has a type.
  it('has a structural schema', () => {
    const untyped: string[] = [];
    const visit = (schema: CrdSchema, path: string) => {
      if (!schema.type && !schema['x-kubernetes-preserve-unknown-fields'])
        untyped.push(path);
      for (const [key, child] of Object.entries(schema.properties ?? {}))
        visit(child, `${path}.${key}`);
      if (schema.items) visit(schema.items, `${path}[]`);
    };
    visit(debugSessionCrd.spec.versions[0].schema.openAPIV3Schema, '');
    expect(untyped).toEqual([]);
  });

  it('prints phase, pod, toolkit, expiry and age, and is dbg for short', () => {
    const version = debugSessionCrd.spec.versions[0];
    expect(
      version.additionalPrinterColumns
        .filter(c => !('priority' in c))
        .map(c => c.name),
    ).toEqual(['Phase', 'Pod', 'Toolkit', 'Expires', 'Age']);
    expect(debugSessionCrd.spec.names.shortNames).toEqual(['dbg']);
    expect(version.subresources).toEqual({ status: {} });
  });
});
