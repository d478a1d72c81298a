import { readFileSync } from 'node:fs';
import { crdFiles } from '../../scripts/crds';
import type { CrdSchema } from '../crd';
import { stoneCrd } from './crd';

describe('the Stone CRD', () => {
  it('is committed in operators/deploy as generated', () => {
    for (const [path, text] of Object.entries(crdFiles())) {
      expect(readFileSync(path, 'utf8')).toBe(text);
    }
  });

  // Kubernetes refuses a non-structural schema: every node has a type,
  // unless it is int-or-string or keeps unknown fields.
  it('has a structural schema', () => {
    const untyped: string[] = [];
    const visit = (schema: CrdSchema, path: string) => {
      if (
        !schema.type &&
        !schema['x-kubernetes-int-or-string'] &&
        !schema['x-kubernetes-preserve-unknown-fields']
      ) {
        untyped.push(path);
      }
      for (const [key, child] of Object.entries(schema.properties ?? {})) {
        visit(child, `${path}.${key}`);
      }
      if (schema.items) visit(schema.items, `${path}[]`);
    };
    visit(stoneCrd.spec.versions[0].schema.openAPIV3Schema, '');
    expect(untyped).toEqual([]);
  });
});
