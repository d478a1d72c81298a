import { draftKey, readDraft, removeDraft, writeDraft } from './drafts';

describe('builder drafts', () => {
  afterEach(() => window.sessionStorage.clear());

  it('keeps one draft per entity and pipeline, new pipelines apart', () => {
    const build = { cluster: 'dev', namespace: 'shop', name: 'build' };
    const keys = [
      draftKey('component:default/shop', build),
      draftKey('component:default/shop', { ...build, namespace: 'other' }),
      draftKey('component:default/cart', build),
      draftKey('component:default/shop', 'new'),
    ];
    expect(new Set(keys).size).toBe(4);

    writeDraft(keys[0], { text: 'a: 1', resourceVersion: '7' });
    writeDraft(keys[3], {
      text: 'b: 2',
      location: { cluster: 'dev', namespace: 'shop' },
    });
    expect(readDraft(keys[0])).toEqual({ text: 'a: 1', resourceVersion: '7' });
    expect(readDraft(keys[1])).toBeUndefined();
    expect(readDraft(keys[3])?.location).toEqual({
      cluster: 'dev',
      namespace: 'shop',
    });
    removeDraft(keys[0]);
    expect(readDraft(keys[0])).toBeUndefined();
  });

  it('ignores what is not a draft under its key', () => {
    const key = draftKey('component:default/shop', 'new');
    window.sessionStorage.setItem(key, '{not json');
    expect(readDraft(key)).toBeUndefined();
    window.sessionStorage.setItem(key, JSON.stringify({ text: 3 }));
    expect(readDraft(key)).toBeUndefined();
  });
});
