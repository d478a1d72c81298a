import {
  Document,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  Node as YamlNode,
  Pair,
  parseDocument,
  Scalar,
  visit,
  YAMLMap,
  YAMLSeq,
} from 'yaml';

/*
 * Lossless YAML editing: `reconcileYamlText` turns a YAML text into one
 * whose value is a given target, changing only the text of the entries whose
 * values differ. Everything else — comments, key order, quoting, block
 * scalars, flow style, blank lines — stays byte-identical, which
 * re-serialising a parsed Document does not guarantee (it normalises
 * indentation, escapes and flow spacing).
 *
 * It works on the source ranges of the parsed Document: one change at a
 * time (replace an entry, insert or delete a map pair or sequence item) is
 * spliced into the text, the text is parsed again, and so on until the
 * value equals the target. New text is rendered by the `yaml` stringifier in
 * the indentation style the document already uses.
 */

/** Options of every new YAML the builder renders. */
const RENDER_DOCUMENT_OPTIONS = {
  // Quote strings that YAML 1.1 readers (kubectl, Go's yaml.v2) would read
  // as something else: "yes", "on", "0777", "1.10".
  compat: 'yaml-1.1',
  aliasDuplicateObjects: false,
} as const;

const RENDER_OPTIONS = {
  lineWidth: 0,
  minContentWidth: 0,
  flowCollectionPadding: false,
} as const;

interface RenderStyle {
  indent: number;
  indentSeq: boolean;
}

/**
 * Keys whose text values are always written as block literals (`|`), even
 * on one line: scripts, so that every script reads the same and a second
 * line needs no change of style.
 */
const BLOCK_LITERAL_KEYS = new Set(['script']);

const isBlockLiteralKey = (key: unknown) =>
  BLOCK_LITERAL_KEYS.has(String(isScalar(key) ? key.value : key));

/** Whether a block literal holds this text exactly (not so for blank text). */
function readsBackAsBlockLiteral(text: string): boolean {
  if (!text.trim()) return false;
  const doc = new Document(text, RENDER_DOCUMENT_OPTIONS);
  (doc.contents as Scalar).type = 'BLOCK_LITERAL';
  return parseDocument(doc.toString(RENDER_OPTIONS)).toJS() === text;
}

/** Renders a value as a YAML document body, without the final newline. */
export function renderYaml(
  value: unknown,
  style: RenderStyle = { indent: 2, indentSeq: true },
  flow = false,
): string {
  const doc = new Document(value, RENDER_DOCUMENT_OPTIONS);
  if (flow && isCollection(doc.contents)) {
    doc.contents.flow = true;
  } else {
    visit(doc, {
      Pair(_, pair) {
        const text = pair.value;
        if (
          isBlockLiteralKey(pair.key) &&
          isScalar(text) &&
          typeof text.value === 'string' &&
          readsBackAsBlockLiteral(text.value)
        ) {
          text.type = 'BLOCK_LITERAL';
        }
      },
    });
  }
  return doc.toString({ ...RENDER_OPTIONS, ...style }).replace(/\r?\n$/, '');
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Drops `undefined` (absent) values, as YAML has no such thing. */
export function normalizeValue(value: unknown): Json {
  if (Array.isArray(value)) return value.map(v => normalizeValue(v ?? null));
  if (isPlainObject(value)) {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) out[k] = normalizeValue(v);
    }
    return out;
  }
  return (value ?? null) as Json;
}

/** Structural equality of JSON-like values (key order does not matter). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') {
    return Number.isNaN(a) && Number.isNaN(b);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((v, i) => deepEqual(v, b[i]))
    );
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ak = Object.keys(a).filter(k => a[k] !== undefined);
    const bk = Object.keys(b).filter(k => b[k] !== undefined);
    return ak.length === bk.length && ak.every(k => deepEqual(a[k], b[k]));
  }
  return false;
}

function stableKey(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableKey).join(',')}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .filter(k => value[k] !== undefined)
      .sort()
      .map(k => `${JSON.stringify(k)}:${stableKey(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** What a sequence item is, for aligning old and new items: its `name`, else its whole value. */
function identity(value: unknown): string {
  return isPlainObject(value) && typeof value.name === 'string'
    ? `name:${value.name}`
    : `value:${stableKey(value)}`;
}

interface Splice {
  start: number;
  end: number;
  text: string;
}

/** Where a node sits in its parent, so that the whole entry can be re-rendered. */
type Entry =
  | { kind: 'pair'; keyStart: number; key: string }
  | { kind: 'item'; dash: number }
  // A value inside a flow collection (`[a, b]`, `{k: v}`): replaced in place or not at all.
  | { kind: 'flow' }
  | { kind: 'root' };

/** Returned when a change cannot be made here; the parent re-renders its entry instead. */
const ESCALATE = Symbol('escalate');
type Step = Splice | typeof ESCALATE | undefined;

class TextEditor {
  private readonly newline: string;

  constructor(
    private readonly text: string,
    private readonly style: RenderStyle,
  ) {
    this.newline = text.includes('\r\n') ? '\r\n' : '\n';
  }

  private column(pos: number): number {
    return pos - this.lineStart(pos);
  }

  private lineStart(pos: number): number {
    return this.text.lastIndexOf('\n', pos - 1) + 1;
  }

  /** The position of the line break ending the line of `pos` (or the text's end). */
  private lineEnd(pos: number): number {
    const i = this.text.indexOf('\n', pos);
    if (i === -1) return this.text.length;
    return this.text[i - 1] === '\r' ? i - 1 : i;
  }

  /** The position after the line break ending the line of `pos`. */
  private afterLine(pos: number): number {
    const i = this.text.indexOf('\n', pos);
    return i === -1 ? this.text.length : i + 1;
  }

  /**
   * Where the comment lines right above `pos`'s line begin: those at its
   * column with no blank line between describe what is there, and go with it
   * when it is deleted.
   */
  private withCommentsAbove(pos: number): number {
    const column = this.column(pos);
    let start = this.lineStart(pos);
    while (start > 0) {
      const above = this.lineStart(start - 1);
      const line = this.text.slice(above, start - 1).replace(/\r$/, '');
      if (
        line.slice(0, column).trim() !== '' ||
        !line.slice(column).startsWith('#')
      ) {
        break;
      }
      start = above;
    }
    return start;
  }

  private onlySpaceBefore(pos: number): boolean {
    return this.text.slice(this.lineStart(pos), pos).trim() === '';
  }

  /** The end of a node's own text: its last scalar, excluding a block scalar's final line break. */
  private contentEnd(node: unknown): number {
    if (isCollection(node) && !node.flow && node.items.length > 0) {
      const last = node.items[node.items.length - 1];
      return this.contentEnd(isPair(last) ? last.value ?? last.key : last);
    }
    const range = (node as YamlNode | null)?.range;
    if (!range) return -1;
    let end = range[1];
    if (
      isScalar(node) &&
      (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED')
    ) {
      if (this.text[end - 1] === '\n') end--;
      if (this.text[end - 1] === '\r') end--;
    }
    return end;
  }

  private pairEnd(pair: Pair): number {
    const end = this.contentEnd(pair.value);
    return end >= 0 ? end : (pair.key as YamlNode).range![1];
  }

  /** The `-` of a block sequence item, or undefined when something other than spaces precedes the item. */
  private dashOf(item: unknown): number | undefined {
    const range = (item as YamlNode | null)?.range;
    if (!range) return undefined;
    let i = range[0] - 1;
    while (i >= 0 && /\s/.test(this.text[i])) i--;
    return this.text[i] === '-' ? i : undefined;
  }

  /** Indents every non-empty line but the first by `column` spaces. */
  private indentRest(rendered: string, column: number): string {
    const pad = ' '.repeat(column);
    return rendered
      .split('\n')
      .map((line, i) => (i === 0 || line === '' ? line : pad + line))
      .join(this.newline);
  }

  private render(value: unknown, flow = false): string {
    return renderYaml(value, this.style, flow);
  }

  /**
   * The next change that brings `node` (whose value is `current`) closer to
   * `target`, or undefined when it is equal.
   */
  reconcile(node: unknown, current: unknown, target: Json, entry: Entry): Step {
    if (deepEqual(current, target)) return undefined;
    let step: Step = ESCALATE;
    if (
      isMap(node) &&
      !node.flow &&
      !node.anchor &&
      isPlainObject(target) &&
      Object.keys(target).length > 0
    ) {
      step = this.reconcileMap(
        node,
        current as Record<string, unknown>,
        target,
      );
    } else if (
      isSeq(node) &&
      !node.flow &&
      !node.anchor &&
      Array.isArray(target) &&
      target.length > 0
    ) {
      step = this.reconcileSeq(node, current as unknown[], target);
    } else if (isCollection(node) && node.flow && !node.anchor) {
      step = this.reconcileFlow(node, current, target);
    }
    return step === ESCALATE ? this.replaceEntry(node, target, entry) : step;
  }

  /**
   * A flow collection changes item by item, in the style of its other
   * items (`[ "a" ]` becomes `[ "a", "b" ]`, not `[a, b]`); a flow mapping
   * whose keys change is rendered anew.
   */
  private reconcileFlow(
    node: YAMLMap | YAMLSeq,
    current: unknown,
    target: Json,
  ): Step {
    if (isMap(node)) {
      if (!isPlainObject(target) || !isPlainObject(current)) return ESCALATE;
      const keys = node.items.map(pair =>
        isScalar(pair.key) ? String(pair.key.value) : undefined,
      );
      const targetKeys = Object.keys(target);
      if (
        keys.length !== targetKeys.length ||
        keys.some(key => key === undefined || !(key in target))
      ) {
        return ESCALATE;
      }
      for (const pair of node.items) {
        const key = String((pair.key as Scalar).value);
        const step = this.reconcile(pair.value, current[key], target[key], {
          kind: 'flow',
        });
        if (step) return step;
      }
      return undefined;
    }
    const items = node.items;
    const old = current as unknown[];
    if (
      !Array.isArray(target) ||
      !target.length ||
      !items.length ||
      items.some(item => isPair(item) || !(item as YamlNode | null)?.range)
    ) {
      return ESCALATE;
    }
    const ranges = items.map(item => (item as YamlNode).range!);
    const separator =
      items.length > 1 ? this.text.slice(ranges[0][1], ranges[1][0]) : ', ';
    const like = items.find(isScalar);
    const pairs = alignSequences(old.map(identity), target.map(identity));
    for (let p = 0; p < pairs.length; p++) {
      const n = pairs[p][1];
      if (pairs[p][0] !== undefined || n === undefined) continue;
      const rendered = renderFlowItem(target[n], like, this.style);
      const previousOld = pairs
        .slice(0, p)
        .reverse()
        .find(([o]) => o !== undefined)?.[0];
      if (previousOld !== undefined) {
        const at = ranges[previousOld][1];
        return { start: at, end: at, text: separator + rendered };
      }
      const at = ranges[0][0];
      return { start: at, end: at, text: rendered + separator };
    }
    for (const [o, n] of pairs) {
      if (o === undefined || n === undefined) continue;
      const step = this.reconcile(items[o], old[o], target[n], {
        kind: 'flow',
      });
      if (step) return step;
    }
    const removed = pairs.find(([, n]) => n === undefined)?.[0];
    if (removed === undefined) return undefined;
    // With the separator after it, or for the last item the one before it.
    return removed < items.length - 1
      ? { start: ranges[removed][0], end: ranges[removed + 1][0], text: '' }
      : { start: ranges[removed - 1][1], end: ranges[removed][1], text: '' };
  }

  private reconcileMap(
    node: YAMLMap,
    current: Record<string, unknown>,
    target: Record<string, Json>,
  ): Step {
    const pairs = node.items;
    const keyOf = (pair: Pair) =>
      isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (pairs.some(p => keyOf(p) === undefined || !(p.key as YamlNode).range)) {
      return ESCALATE;
    }
    const keys = pairs.map(p => keyOf(p)!);
    const column = this.column((pairs[0].key as YamlNode).range![0]);
    const targetKeys = Object.keys(target);
    const missing = targetKeys.find(k => !keys.includes(k));
    if (missing !== undefined) {
      // After the nearest key that precedes it in the target, else last.
      const before = targetKeys
        .slice(0, targetKeys.indexOf(missing))
        .reverse()
        .find(k => keys.includes(k));
      const after =
        pairs[before !== undefined ? keys.indexOf(before) : pairs.length - 1];
      const at = this.lineEnd(this.pairEnd(after));
      const rendered = this.render({ [missing]: target[missing] });
      return {
        start: at,
        end: at,
        text:
          this.newline + ' '.repeat(column) + this.indentRest(rendered, column),
      };
    }
    for (const pair of pairs) {
      const key = keyOf(pair)!;
      if (!(key in target)) continue;
      const step = this.reconcile(pair.value, current[key], target[key], {
        kind: 'pair',
        keyStart: (pair.key as YamlNode).range![0],
        key,
      });
      if (step) return step;
    }
    const index = keys.findIndex(k => !(k in target));
    if (index === -1) return undefined;
    const keyStart = (pairs[index].key as YamlNode).range![0];
    if (this.onlySpaceBefore(keyStart)) {
      return {
        start: this.withCommentsAbove(keyStart),
        end: this.afterLine(this.pairEnd(pairs[index])),
        text: '',
      };
    }
    // The first key of a sequence item (`- name: x`): pull the next key up.
    const next = pairs[index + 1];
    if (!next) return ESCALATE;
    return { start: keyStart, end: (next.key as YamlNode).range![0], text: '' };
  }

  private reconcileSeq(node: YAMLSeq, old: unknown[], target: Json[]): Step {
    const items = node.items;
    const dashes = items.map(item => this.dashOf(item));
    if (dashes.some(d => d === undefined || !this.onlySpaceBefore(d))) {
      return ESCALATE;
    }
    const column = this.column(dashes[0]!);
    const pairs = alignSequences(old.map(identity), target.map(identity));
    const itemText = (value: Json) =>
      ' '.repeat(column) + this.indentRest(this.render([value]), column);
    // Insert first, so that a sequence being rewritten never becomes empty.
    for (let p = 0; p < pairs.length; p++) {
      const n = pairs[p][1];
      if (pairs[p][0] !== undefined || n === undefined) continue;
      // After the item before it, so comments above the next one stay there.
      const previousOld = pairs
        .slice(0, p)
        .reverse()
        .find(([o]) => o !== undefined)?.[0];
      if (previousOld !== undefined) {
        const at = this.lineEnd(this.contentEnd(items[previousOld]));
        return { start: at, end: at, text: this.newline + itemText(target[n]) };
      }
      const at = this.lineStart(dashes[0]!);
      return { start: at, end: at, text: itemText(target[n]) + this.newline };
    }
    for (const [o, n] of pairs) {
      if (o === undefined || n === undefined) continue;
      const step = this.reconcile(items[o], old[o], target[n], {
        kind: 'item',
        dash: dashes[o]!,
      });
      if (step) return step;
    }
    const removed = pairs.find(([, n]) => n === undefined)?.[0];
    if (removed === undefined) return undefined;
    return {
      start: this.withCommentsAbove(dashes[removed]!),
      end: this.afterLine(this.contentEnd(items[removed])),
      text: '',
    };
  }

  /** Replaces a whole entry (`key: value`, `- value`, or the document) by a rendering of the target. */
  replaceEntry(node: unknown, target: Json, entry: Entry): Step {
    const range = (node as YamlNode | null)?.range;
    const single = (text: string) => !text.includes('\n');
    // An empty value (`key:`) has no text to replace: the entry is rendered.
    if (
      range &&
      range[1] > range[0] &&
      isScalar(node) &&
      !isCollectionValue(target)
    ) {
      const blockStyle =
        node.type === 'BLOCK_LITERAL' ||
        node.type === 'BLOCK_FOLDED' ||
        (entry.kind === 'pair' && isBlockLiteralKey(entry.key));
      if (!blockStyle && !node.tag) {
        const text =
          entry.kind === 'flow'
            ? renderFlowItem(target, node, this.style)
            : renderScalar(target, node.type, this.style);
        if (single(text)) return { start: range[0], end: range[1], text };
      }
    }
    if (
      range &&
      isCollection(node) &&
      node.flow &&
      node.items.length > 0 &&
      single(this.text.slice(range[0], range[1])) &&
      isCollectionValue(target) &&
      Array.isArray(target) === isSeq(node) &&
      Object.keys(target).length > 0
    ) {
      const text = this.render(target, true);
      if (single(text)) return { start: range[0], end: range[1], text };
    }
    if (entry.kind === 'flow') return ESCALATE;
    if (entry.kind === 'root') {
      const rendered = this.indentRest(this.render(target), 0);
      if (!range) {
        // An empty document, perhaps with comments: add after them.
        const end = this.text.length;
        const gap = end === 0 || this.text.endsWith('\n') ? '' : this.newline;
        return { start: end, end, text: `${gap}${rendered}${this.newline}` };
      }
      return { start: range[0], end: this.contentEnd(node), text: rendered };
    }
    const start = entry.kind === 'pair' ? entry.keyStart : entry.dash;
    const column = this.column(start);
    const rendered = this.indentRest(
      this.render(entry.kind === 'pair' ? { [entry.key]: target } : [target]),
      column,
    );
    let end = range ? this.contentEnd(node) : -1;
    const emptyValue =
      isScalar(node) && node.value === null && !node.source?.trim();
    if (end < start || emptyValue) {
      // `key:` with nothing after it (but perhaps a comment).
      end = this.lineEnd(start);
      const comment = this.text.slice(start, end).indexOf(' #');
      if (comment >= 0) end = start + comment;
    }
    // A comment after a value that now spans lines would land inside it:
    // it moves to the end of the entry's first line (`script: |- # why`).
    if (!single(rendered)) {
      const rest = this.text.slice(end, this.lineEnd(end));
      if (rest.trim().startsWith('#')) {
        end = this.lineEnd(end);
        const lineBreak = rendered.indexOf(this.newline);
        return {
          start,
          end,
          text: `${rendered.slice(0, lineBreak)} ${rest.trim()}${rendered.slice(
            lineBreak,
          )}`,
        };
      }
    }
    return { start, end, text: rendered };
  }
}

/** A scalar in the given quoting style (strings only; other values as YAML writes them). */
function renderScalar(
  value: Json,
  type: Scalar.Type | undefined,
  style: RenderStyle,
): string {
  const doc = new Document(value, RENDER_DOCUMENT_OPTIONS);
  if (typeof value === 'string' && isScalar(doc.contents)) {
    (doc.contents as Scalar).type = type;
  }
  return doc.toString({ ...RENDER_OPTIONS, ...style }).replace(/\r?\n$/, '');
}

/**
 * An item of a flow collection, quoted as `like` (a neighbour or the value
 * it replaces) is; a plain string that flow syntax would split is quoted.
 */
function renderFlowItem(
  value: Json,
  like: Scalar | undefined,
  style: RenderStyle,
): string {
  if (isCollectionValue(value)) return renderYaml(value, style, true);
  const type =
    like?.type === 'QUOTE_DOUBLE' || like?.type === 'QUOTE_SINGLE'
      ? like.type
      : 'PLAIN';
  const text = renderScalar(value, type, style);
  return type === 'PLAIN' && /[,[\]{}]|: |\s#/.test(text)
    ? renderScalar(value, 'QUOTE_DOUBLE', style)
    : text;
}

function isCollectionValue(
  value: unknown,
): value is Json[] | Record<string, Json> {
  return typeof value === 'object' && value !== null;
}

/**
 * Aligns two sequences by item identity (longest common subsequence); the
 * unmatched items between two matches are paired by position, the rest are
 * insertions (`[undefined, n]`) or deletions (`[o, undefined]`).
 */
function alignSequences(
  old: string[],
  next: string[],
): Array<[number | undefined, number | undefined]> {
  // An edit changes a few items of a long list: match its unchanged ends
  // directly, and the quadratic table covers only the middle.
  let head = 0;
  while (head < old.length && head < next.length && old[head] === next[head]) {
    head++;
  }
  let tail = 0;
  while (
    tail < old.length - head &&
    tail < next.length - head &&
    old[old.length - 1 - tail] === next[next.length - 1 - tail]
  ) {
    tail++;
  }
  const middle = alignMiddle(
    old.slice(head, old.length - tail),
    next.slice(head, next.length - tail),
  ).map(([o, n]): [number | undefined, number | undefined] => [
    o === undefined ? undefined : o + head,
    n === undefined ? undefined : n + head,
  ]);
  return [
    ...Array.from({ length: head }, (_, i): [number, number] => [i, i]),
    ...middle,
    ...Array.from({ length: tail }, (_, i): [number, number] => [
      old.length - tail + i,
      next.length - tail + i,
    ]),
  ];
}

function alignMiddle(
  old: string[],
  next: string[],
): Array<[number | undefined, number | undefined]> {
  const lcs: number[][] = Array.from({ length: old.length + 1 }, () =>
    new Array(next.length + 1).fill(0),
  );
  for (let i = old.length - 1; i >= 0; i--) {
    for (let j = next.length - 1; j >= 0; j--) {
      lcs[i][j] =
        old[i] === next[j]
          ? lcs[i + 1][j + 1] + 1
          : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const result: Array<[number | undefined, number | undefined]> = [];
  let i = 0;
  let j = 0;
  let gapOld: number[] = [];
  let gapNew: number[] = [];
  const flush = () => {
    const paired = Math.min(gapOld.length, gapNew.length);
    for (let k = 0; k < paired; k++) result.push([gapOld[k], gapNew[k]]);
    for (const o of gapOld.slice(paired)) result.push([o, undefined]);
    for (const n of gapNew.slice(paired)) result.push([undefined, n]);
    gapOld = [];
    gapNew = [];
  };
  while (i < old.length || j < next.length) {
    if (i < old.length && j < next.length && old[i] === next[j]) {
      flush();
      result.push([i++, j++]);
    } else if (
      j >= next.length ||
      (i < old.length && lcs[i + 1][j] >= lcs[i][j + 1])
    ) {
      gapOld.push(i++);
    } else {
      gapNew.push(j++);
    }
  }
  flush();
  return result;
}

/** Indentation of the document: spaces per level, and whether sequences are indented under their key. */
function detectStyle(doc: Document.Parsed, text: string): RenderStyle {
  let indent: number | undefined;
  let indentSeq: boolean | undefined;
  const column = (pos: number) => pos - (text.lastIndexOf('\n', pos - 1) + 1);
  visit(doc, {
    Pair(_, pair) {
      const keyRange = (pair.key as YamlNode | null)?.range;
      if (!keyRange) return;
      const value = pair.value;
      if (indent === undefined && isMap(value) && !value.flow) {
        const first = (value.items[0]?.key as YamlNode | null)?.range;
        if (first && column(first[0]) > column(keyRange[0])) {
          indent = column(first[0]) - column(keyRange[0]);
        }
      }
      if (indentSeq === undefined && isSeq(value) && !value.flow) {
        const first = (value.items[0] as YamlNode | null)?.range;
        if (first) {
          let i = first[0] - 1;
          while (i >= 0 && /\s/.test(text[i])) i--;
          if (text[i] === '-') indentSeq = column(i) > column(keyRange[0]);
        }
      }
    },
  });
  return { indent: indent ?? 2, indentSeq: indentSeq ?? true };
}

/** Thrown when a YAML text cannot be edited: its message says why. */
export class YamlEditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'YamlEditError';
  }
}

/** A YAML error's message without the excerpt of the text under it. */
export function yamlErrorMessage(error: { message: string }): string {
  return error.message.split('\n')[0].replace(/:$/, '');
}

/** Parses YAML text the way the builder does everywhere. */
export function parseYamlDocument(
  text: string,
  lineCounter?: LineCounter,
): Document.Parsed {
  return parseDocument(text, { prettyErrors: true, lineCounter });
}

/**
 * Rewrites `text` so that it holds `target`, changing only the text of the
 * entries whose value differs. Throws YamlEditError when the text has syntax
 * errors.
 */
export function reconcileYamlText(text: string, target: unknown): string {
  const wanted = normalizeValue(target);
  let current = text;
  let doc = parseYamlDocument(current);
  if (doc.errors.length) {
    throw new YamlEditError(
      `The YAML has errors; fix them first: ${yamlErrorMessage(doc.errors[0])}`,
    );
  }
  const style = detectStyle(doc, current);
  // Each step changes one entry; a pipeline has far fewer entries than this.
  for (let steps = 0; steps < 5000; steps++) {
    const editor = new TextEditor(current, style);
    let step: Step;
    try {
      step = editor.reconcile(doc.contents, doc.toJS(), wanted, {
        kind: 'root',
      });
    } catch {
      // The previous step left an alias without its anchor.
      break;
    }
    if (!step || step === ESCALATE) return current;
    const next =
      current.slice(0, step.start) + step.text + current.slice(step.end);
    doc = parseYamlDocument(next);
    if (next === current || doc.errors.length) break;
    current = next;
  }
  throw new YamlEditError(
    'The change cannot be made without rewriting other parts of the YAML (it touches a value that a YAML alias such as *name refers to); make it in the YAML view instead.',
  );
}
