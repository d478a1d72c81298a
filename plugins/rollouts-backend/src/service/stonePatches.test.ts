import { Stone } from '@cairn/operators-api';
import {
  mergePatchBetween,
  pausePatch,
  stagePatch,
  templatePatch,
  templateWithImages,
} from './stonePatches';

const stone: Stone = {
  metadata: { name: 'web', namespace: 'shop', resourceVersion: '42' },
  spec: {
    strategy: 'Beta',
    coordinates: [],
    template: {
      metadata: { labels: { app: 'web' }, annotations: { note: 'x' } },
      spec: {
        containers: [
          { name: 'web', image: 'nginx:1.27' },
          { name: 'sidecar', image: 'busybox:1.36' },
        ],
      },
    },
  },
};

describe('mergePatchBetween', () => {
  it('removes keys the target lacks, patches objects and replaces arrays whole', () => {
    expect(
      mergePatchBetween(
        { a: 1, b: { c: 2, d: 3 }, e: [1, 2], f: 'same' },
        { b: { c: 2, d: 4 }, e: [1], f: 'same', g: true },
      ),
    ).toEqual({ a: null, b: { d: 4 }, e: [1], g: true });
  });

  it('is undefined for equal documents', () => {
    expect(mergePatchBetween({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(
      undefined,
    );
  });
});

describe('Stone patches', () => {
  it('carry the resourceVersion the user saw', () => {
    expect(stagePatch(stone, 'Omega')).toEqual({
      metadata: { resourceVersion: '42' },
      spec: { strategy: 'Omega' },
    });
    expect(pausePatch(stone, true)).toEqual({
      metadata: { resourceVersion: '42' },
      spec: { paused: true },
    });
  });

  it('set a new image and the Alpha stage in one patch', () => {
    const { template, unknownContainers } = templateWithImages(
      stone.spec.template,
      { web: 'nginx:1.28' },
    );
    expect(unknownContainers).toEqual([]);
    expect(templatePatch(stone, template, 'Alpha')).toEqual({
      metadata: { resourceVersion: '42' },
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'web', image: 'nginx:1.28' },
              { name: 'sidecar', image: 'busybox:1.36' },
            ],
          },
        },
        strategy: 'Alpha',
      },
    });
  });

  it('name containers the template does not have', () => {
    expect(
      templateWithImages(stone.spec.template, { api: 'x:1' }).unknownContainers,
    ).toEqual(['api']);
  });

  it('restore an earlier template exactly, removing what it did not have', () => {
    const earlier = {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'nginx:1.26' }] },
    };
    expect(templatePatch(stone, earlier, 'Alpha').spec).toEqual({
      template: {
        metadata: { annotations: null },
        spec: { containers: [{ name: 'web', image: 'nginx:1.26' }] },
      },
      strategy: 'Alpha',
    });
  });
});
