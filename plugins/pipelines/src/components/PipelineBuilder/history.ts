/**
 * The builder's undo history: a stack of YAML texts. Consecutive changes
 * with the same key (keystrokes in one field) make one undo step.
 */
export interface TextHistory {
  past: string[];
  present: string;
  future: string[];
  /** The key of the change that produced `present`, if any. */
  lastKey?: string;
}

export function startHistory(text: string): TextHistory {
  return { past: [], present: text, future: [] };
}

/** Records `text` as the new present; a change with the previous change's key replaces it. */
export function recordText(
  history: TextHistory,
  text: string,
  key?: string,
): TextHistory {
  if (text === history.present) return history;
  if (key !== undefined && key === history.lastKey) {
    return { ...history, present: text, future: [] };
  }
  return {
    past: [...history.past, history.present],
    present: text,
    future: [],
    lastKey: key,
  };
}

export function undoText(history: TextHistory): TextHistory {
  if (!history.past.length) return history;
  return {
    past: history.past.slice(0, -1),
    present: history.past[history.past.length - 1],
    future: [history.present, ...history.future],
  };
}

export function redoText(history: TextHistory): TextHistory {
  if (!history.future.length) return history;
  return {
    past: [...history.past, history.present],
    present: history.future[0],
    future: history.future.slice(1),
  };
}
