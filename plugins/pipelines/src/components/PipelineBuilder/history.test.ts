import { recordText, redoText, startHistory, undoText } from './history';

describe('text history', () => {
  it('undoes and redoes whole texts', () => {
    let h = startHistory('a');
    h = recordText(h, 'b');
    h = recordText(h, 'c');
    h = undoText(h);
    expect(h.present).toBe('b');
    h = undoText(h);
    expect(h.present).toBe('a');
    expect(undoText(h)).toBe(h);
    h = redoText(h);
    expect(h.present).toBe('b');
    h = redoText(h);
    expect(h.present).toBe('c');
    expect(redoText(h)).toBe(h);
  });

  it('makes consecutive changes with one key a single step', () => {
    let h = startHistory('name: a');
    h = recordText(h, 'name: ab', 'name');
    h = recordText(h, 'name: abc', 'name');
    h = recordText(h, 'name: abc\nx: 1', 'x');
    expect(undoText(h).present).toBe('name: abc');
    expect(undoText(undoText(h)).present).toBe('name: a');
  });

  it('starts a new step after an undo even with the same key', () => {
    let h = startHistory('a');
    h = recordText(h, 'ab', 'k');
    h = undoText(h);
    h = recordText(h, 'ax', 'k');
    expect(h.past).toEqual(['a']);
    expect(undoText(h).present).toBe('a');
  });

  it('drops the redo branch on a new change and ignores no-op changes', () => {
    let h = startHistory('a');
    h = recordText(h, 'b');
    h = undoText(h);
    h = recordText(h, 'c');
    expect(h.future).toEqual([]);
    expect(recordText(h, 'c')).toBe(h);
  });
});
