import { parse } from 'yaml';
import { lineDiff } from './__testUtils__/lineDiff';
import { reconcileYamlText, renderYaml, YamlEditError } from './yamlText';

function reconcile(text: string, change: (value: any) => void) {
  const value = parse(text);
  change(value);
  const next = reconcileYamlText(text, value);
  expect(parse(next)).toEqual(value);
  return { next, ...lineDiff(text, next) };
}

describe('reconcileYamlText', () => {
  const text = [
    '# leading comment',
    'a: 1 # trailing comment',
    'b: "quoted"',
    "c: 'single'",
    'flow: {x: 1, y: [a, b]}',
    'list:',
    '  - one',
    '  - two # second',
    '',
    '  - three',
    'script: |',
    '  echo hi',
    '',
    'last: end',
    '',
  ].join('\n');

  it('returns the text unchanged when the value is equal', () => {
    expect(reconcileYamlText(text, parse(text))).toBe(text);
  });

  it('replaces a scalar in place, keeping its quoting and comment', () => {
    expect(reconcile(text, v => (v.b = 'new')).next).toContain('b: "new"\n');
    expect(reconcile(text, v => (v.c = 'x')).next).toContain("c: 'x'\n");
    const { removed, added } = reconcile(text, v => (v.a = 2));
    expect(removed).toEqual(['a: 1 # trailing comment']);
    expect(added).toEqual(['a: 2 # trailing comment']);
  });

  it('quotes a plain scalar when the new value would read as something else', () => {
    expect(reconcile(text, v => (v.last = 'yes')).added).toEqual([
      'last: "yes"',
    ]);
    expect(reconcile(text, v => (v.last = '1.10')).added).toEqual([
      'last: "1.10"',
    ]);
    expect(reconcile(text, v => (v.last = '')).added).toEqual(['last: ""']);
  });

  it('turns a scalar into a block literal when it gets line breaks', () => {
    const { next, removed } = reconcile(text, v => (v.last = 'one\ntwo\n'));
    expect(removed).toEqual(['last: end']);
    expect(next).toContain('last: |\n  one\n  two\n');
  });

  it('writes every script as a block literal, even on one line', () => {
    const step = 'steps:\n  - image: alpine\n    script: echo a # why\n';
    expect(reconcile(step, v => (v.steps[0].script = 'echo b')).next).toBe(
      'steps:\n  - image: alpine\n    script: |- # why\n      echo b\n',
    );
    expect(
      reconcile('steps: []\n', v => v.steps.push({ script: 'echo c\n' })).next,
    ).toBe('steps:\n  - script: |\n      echo c\n');
    // Blank text, which a block literal cannot hold, stays quoted.
    expect(renderYaml({ script: ' ' })).toBe('script: " "');
  });

  it('rewrites a block scalar as a block scalar', () => {
    const { removed, added } = reconcile(text, v => (v.script = 'echo bye\n'));
    expect(removed).toEqual(['  echo hi']);
    expect(added).toEqual(['  echo bye']);
  });

  it('changes a value inside a flow collection in place', () => {
    const { removed, added } = reconcile(text, v => (v.flow.x = 2));
    expect(removed).toEqual(['flow: {x: 1, y: [a, b]}']);
    expect(added).toEqual(['flow: {x: 2, y: [a, b]}']);
  });

  it('keeps a flow mapping in flow style when its keys change (quoting YAML 1.1 booleans like "y")', () => {
    const { added } = reconcile(text, v => (v.flow = { y: ['a'], z: 1 }));
    expect(added).toEqual(['flow: {"y": [a], z: 1}']);
  });

  describe('flow sequences keep their quotes, spacing and comments', () => {
    const flow = 'runAfter: [ "fetch-repo", "lint" ] # after both\n';

    it('renames an item', () => {
      expect(reconcile(flow, v => (v.runAfter[0] = 'build')).added).toEqual([
        'runAfter: [ "build", "lint" ] # after both',
      ]);
      expect(reconcile("k: ['a']\n", v => (v.k = ['b'])).next).toBe(
        "k: ['b']\n",
      );
    });

    it('adds an item in the style of the others', () => {
      expect(reconcile(flow, v => v.runAfter.push('test')).added).toEqual([
        'runAfter: [ "fetch-repo", "lint", "test" ] # after both',
      ]);
      expect(reconcile(flow, v => v.runAfter.unshift('first')).added).toEqual([
        'runAfter: [ "first", "fetch-repo", "lint" ] # after both',
      ]);
      expect(reconcile('k: [a]\n', v => v.k.push('b, c')).next).toBe(
        'k: [a, "b, c"]\n',
      );
    });

    it('removes an item with its separator', () => {
      expect(reconcile(flow, v => v.runAfter.shift()).added).toEqual([
        'runAfter: [ "lint" ] # after both',
      ]);
      expect(reconcile(flow, v => v.runAfter.pop()).added).toEqual([
        'runAfter: [ "fetch-repo" ] # after both',
      ]);
    });

    it('changes a value of a flow mapping inside a block sequence', () => {
      const params =
        'params:\n  - { name: IMAGE, value: "img:$(tasks.a.x)" }\n';
      expect(
        reconcile(params, v => (v.params[0].value = 'img:$(tasks.b.x)')).added,
      ).toEqual(['  - { name: IMAGE, value: "img:$(tasks.b.x)" }']);
    });
  });

  it('adds a key after the last one, or after the key before it in the target', () => {
    expect(reconcile(text, v => (v.z = 'new')).next).toMatch(
      /last: end\nz: new\n$/,
    );
    const ordered = reconcile(text, v => {
      const copy = { ...v };
      for (const key of Object.keys(v)) delete v[key];
      Object.assign(v, { a: copy.a, inserted: true }, copy);
    });
    expect(ordered.next).toContain(
      'a: 1 # trailing comment\ninserted: true\nb:',
    );
  });

  it('deletes a key with its lines only', () => {
    const { removed, added } = reconcile(text, v => delete v.script);
    expect(removed).toEqual(['script: |', '  echo hi']);
    expect(added).toEqual([]);
  });

  it('inserts and deletes sequence items without touching the others', () => {
    const inserted = reconcile(text, v =>
      v.list.splice(1, 0, 'one-and-a-half'),
    );
    expect(inserted.removed).toEqual([]);
    expect(inserted.next).toContain(
      '  - one\n  - one-and-a-half\n  - two # second',
    );
    const deleted = reconcile(text, v => v.list.splice(1, 1));
    expect(deleted.removed).toEqual(['  - two # second']);
    expect(deleted.added).toEqual([]);
    const appended = reconcile(text, v => v.list.push('four'));
    expect(appended.next).toContain('  - three\n  - four\nscript:');
  });

  it('inserts an item after the one before it, leaving comments above the next', () => {
    const commented = 't:\n  - name: a\n  # about b\n  - name: b\n';
    expect(
      reconcile(commented, v => v.t.splice(1, 0, { name: 'c' })).next,
    ).toBe('t:\n  - name: a\n  - name: c\n  # about b\n  - name: b\n');
    expect(reconcile(commented, v => v.t.unshift({ name: 'first' })).next).toBe(
      't:\n  - name: first\n  - name: a\n  # about b\n  - name: b\n',
    );
  });

  it('fills empty values', () => {
    expect(reconcile('a:\nb: 1\n', v => (v.a = 'x')).next).toBe('a: x\nb: 1\n');
    expect(reconcile('l:\n  -\n  - 2\n', v => (v.l[0] = 'x')).next).toBe(
      'l:\n  - x\n  - 2\n',
    );
  });

  it('deletes the comment lines right above a deleted item or key with it', () => {
    const commented = [
      'steps:',
      '  # Builds the image.',
      '  - build',
      '',
      '  # Pushes it.',
      '  # Needs credentials.',
      '  - push',
      'env:',
      '  # unused',
      '  OLD: 1',
      '  KEEP: 2',
      '',
    ].join('\n');
    expect(
      reconcile(commented, v => v.steps.splice(1, 1)).next.split('\n'),
    ).toEqual([
      'steps:',
      '  # Builds the image.',
      '  - build',
      '',
      ...commented.split('\n').slice(7),
    ]);
    expect(
      reconcile(commented, v => delete v.env.OLD).next.split('\n'),
    ).toEqual([...commented.split('\n').slice(0, 8), '  KEEP: 2', '']);
  });

  it('keeps the comment after an empty value it fills', () => {
    expect(reconcile('a: # fill me in\nb: 1\n', v => (v.a = 'x')).next).toBe(
      'a: x # fill me in\nb: 1\n',
    );
  });

  it('aligns named items by name, so a rename changes only that name', () => {
    const tasks = [
      'tasks:',
      '- name: a # first',
      '  x: 1',
      '- name: b',
      '  x: 2',
      '- name: c',
      '  x: 3',
      '',
    ].join('\n');
    const renamed = reconcile(tasks, v => (v.tasks[1].name = 'bee'));
    expect(renamed.removed).toEqual(['- name: b']);
    expect(renamed.added).toEqual(['- name: bee']);
    const removed = reconcile(tasks, v => {
      v.tasks.splice(0, 1);
      v.tasks[0].x = 20;
    });
    expect(removed.removed).toEqual(['- name: a # first', '  x: 1', '  x: 2']);
    expect(removed.added).toEqual(['  x: 20']);
  });

  it('deletes the first key of a sequence item by pulling the next one up', () => {
    const items = 'items:\n  - a: 1\n    b: 2\n';
    expect(reconcile(items, v => delete v.items[0].a).next).toBe(
      'items:\n  - b: 2\n',
    );
  });

  it('renders new items in the indentation style of the document', () => {
    const compact = 'spec:\n    tasks:\n    - name: a\n';
    const { next } = reconcile(compact, v =>
      v.spec.tasks.push({ name: 'b', runAfter: ['a'] }),
    );
    // The new item starts where the others do, its keys as deep as theirs.
    expect(next).toMatch(
      /^spec:\n {4}tasks:\n {4}- name: a\n {4}- name: b\n {6}runAfter:\n/,
    );
  });

  it('replaces an empty flow collection by a block one', () => {
    const empty = 'spec:\n  tasks: []\n';
    const { next } = reconcile(empty, v => v.spec.tasks.push({ name: 'a' }));
    expect(next).toBe('spec:\n  tasks:\n    - name: a\n');
  });

  it('keeps CRLF line breaks', () => {
    const crlf = 'a: 1\r\nb:\r\n  - x\r\n';
    const { next } = reconcile(crlf, v => {
      v.b.push('z');
      v.c = { d: 1 };
    });
    expect(next).toBe('a: 1\r\nb:\r\n  - x\r\n  - z\r\nc:\r\n  d: 1\r\n');
  });

  it('keeps directives and document markers', () => {
    const marked = '%YAML 1.2\n---\na: 1\n...\n';
    expect(reconcile(marked, v => (v.a = 2)).next).toBe(
      '%YAML 1.2\n---\na: 2\n...\n',
    );
  });

  it('moves a trailing comment out of a value that now spans lines, to its first line', () => {
    const { next } = reconcile('a: x # note\nb: 1\n', v => (v.a = 'l1\nl2'));
    expect(next).toBe('a: |- # note\n  l1\n  l2\nb: 1\n');
    expect(
      reconcile('a: x # note\nb: 1\n', v => (v.a = { c: 1, d: 2 })).next,
    ).toBe('a: # note\n  c: 1\n  d: 2\nb: 1\n');
  });

  it('fills an empty document, keeping its comments', () => {
    expect(reconcileYamlText('', { a: 1 })).toBe('a: 1\n');
    expect(reconcileYamlText('# new pipeline', { a: 1 })).toBe(
      '# new pipeline\na: 1\n',
    );
  });

  it('replaces a document that is not a mapping', () => {
    expect(reconcileYamlText('# c\n- a\n', { a: 1 })).toBe('# c\na: 1\n');
  });

  it('rejects text with syntax errors', () => {
    expect(() => reconcileYamlText('a: [1', { a: 1 })).toThrow(YamlEditError);
    expect(() => reconcileYamlText('a: [1', { a: 1 })).toThrow(
      /fix them first/,
    );
  });
});

describe('renderYaml', () => {
  it('never folds long lines', () => {
    const long = 'x'.repeat(50).split('').join(' ').repeat(5);
    expect(renderYaml({ long })).toBe(`long: ${long}`);
  });
});

describe('reconcileYamlText with anchors and aliases', () => {
  const text = 'base: &img alpine\nsteps:\n  - image: *img\n  - image: *img\n';

  it('edits around them', () => {
    const value = parse(text);
    value.steps[1].image = 'busybox';
    expect(reconcileYamlText(text, value)).toBe(
      'base: &img alpine\nsteps:\n  - image: *img\n  - image: busybox\n',
    );
  });

  it('refuses a change that would leave an alias dangling, saying where to make it', () => {
    const value = parse(text);
    value.base = { changed: true };
    expect(() => reconcileYamlText(text, value)).toThrow(
      /make it in the YAML view instead/,
    );
  });
});
