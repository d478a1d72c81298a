import type { V1ControllerRevision } from '@kubernetes/client-node';
import { threeZoneStone } from './__testUtils__/fixtures';
import {
  canonicalJson,
  decideUpdateRevision,
  revisionsToPrune,
  templateHash,
} from './revisions';

const revision = (
  name: string,
  number: number,
  template: unknown,
): V1ControllerRevision => ({
  metadata: { name },
  revision: number,
  data: { spec: { template } },
});

describe('canonicalJson', () => {
  it('is independent of key order and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: [{ y: 2, x: undefined, z: null }] })).toBe(
      canonicalJson({ a: [{ z: null, y: 2 }], b: 1 }),
    );
    expect(canonicalJson({ a: [1, 2] })).not.toBe(canonicalJson({ a: [2, 1] }));
  });
});

describe('templateHash', () => {
  const { template } = threeZoneStone().spec;

  it('is short, safe-encoded, stable and changes with the template', () => {
    const hash = templateHash(template);
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    expect(templateHash(JSON.parse(JSON.stringify(template)))).toBe(hash);
    const other = JSON.parse(JSON.stringify(template));
    other.spec.containers[0].image = 'nginx:1.26';
    expect(templateHash(other)).not.toBe(hash);
    expect(templateHash(template, 1)).not.toBe(hash);
  });
});

describe('decideUpdateRevision', () => {
  const stone = threeZoneStone();
  const { template } = stone.spec;
  const older = JSON.parse(JSON.stringify(template));
  older.spec.containers[0].image = 'nginx:1.24';

  it('creates revision 1 named <stone>-<hash>, owned by the Stone', () => {
    const decision = decideUpdateRevision(stone, []);
    expect(decision.kind).toBe('create');
    expect(decision.revision).toMatchObject({
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name: `web-${templateHash(template)}`,
        namespace: 'shop',
        labels: { 'rollouts.cairn.dev/stone': 'web' },
        ownerReferences: [
          { kind: 'Stone', uid: 'stone-uid', controller: true },
        ],
      },
      data: { spec: { template } },
      revision: 1,
    });
  });

  it('reuses the revision holding an equal template', () => {
    const existing = revision('web-x', 2, JSON.parse(JSON.stringify(template)));
    expect(
      decideUpdateRevision(stone, [revision('web-old', 1, older), existing]),
    ).toEqual({ kind: 'existing', revision: existing });
  });

  it('renumbers an older revision to the newest on a rollback', () => {
    const back = revision('web-x', 1, template);
    expect(
      decideUpdateRevision(stone, [back, revision('web-new', 2, older)]),
    ).toEqual({ kind: 'renumber', revision: back, number: 3 });
  });

  it('draws another hash while the name is taken by another template', () => {
    const taken = revision(`web-${templateHash(template)}`, 4, older);
    const decision = decideUpdateRevision(stone, [taken]);
    expect(decision.revision.metadata!.name).toBe(
      `web-${templateHash(template, 1)}`,
    );
    expect(decision.revision.revision).toBe(5);
  });
});

describe('revisionsToPrune', () => {
  const revisions = [5, 1, 4, 2, 3].map(n => revision(`r${n}`, n, {}));

  it('deletes the oldest beyond the limit, never one in use', () => {
    expect(revisionsToPrune(revisions, new Set(['r1', 'r5']), 1)).toEqual([
      'r2',
      'r3',
    ]);
    expect(revisionsToPrune(revisions, new Set(), 0)).toEqual([
      'r1',
      'r2',
      'r3',
      'r4',
      'r5',
    ]);
    expect(revisionsToPrune(revisions, new Set(), 10)).toEqual([]);
  });
});
