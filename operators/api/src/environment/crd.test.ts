import type { CrdSchema } from '../crd';
import { environmentCrd } from './crd';

describe('the Environment CRD', () => {
  const version = environmentCrd.spec.versions[0];
  const schema = version.schema.openAPIV3Schema;

  // Kubernetes refuses a non-structural schema: every node has a type,
  // unless it is int-or-string.
  it('has a structural schema', () => {
    const untyped: string[] = [];
    const visit = (node: CrdSchema, path: string) => {
      if (!node.type && !node['x-kubernetes-int-or-string']) untyped.push(path);
      for (const [key, child] of Object.entries(node.properties ?? {}))
        visit(child, `${path}.${key}`);
      if (node.items) visit(node.items, `${path}[]`);
      if (node.additionalProperties)
        visit(node.additionalProperties, `${path}{}`);
    };
    visit(schema, '');
    expect(untyped).toEqual([]);
  });

  it('is cluster-scoped, env for short, with a status subresource and the printer columns', () => {
    expect(environmentCrd.spec.scope).toBe('Cluster');
    expect(environmentCrd.spec.names.shortNames).toEqual(['env']);
    expect(version.subresources).toEqual({ status: {} });
    expect(version.additionalPrinterColumns.map(c => c.name)).toEqual([
      'Namespace',
      'Owner',
      'Nodes',
      'Ready',
      'Age',
    ]);
  });

  it('takes quantities as Kubernetes does: int or string matching apimachinery’s pattern', () => {
    const quantity =
      schema.properties!.spec.properties!.quota.additionalProperties!;
    expect(quantity['x-kubernetes-int-or-string']).toBe(true);
    const pattern = new RegExp(quantity.pattern!);
    for (const ok of ['100Gi', '500m', '4', '1.5', '2e3', '1E', '.5'])
      expect(ok).toMatch(pattern);
    for (const bad of ['2 cores', '1GB', 'Gi', '1.2.3', ''])
      expect(bad).not.toMatch(pattern);
  });
});
