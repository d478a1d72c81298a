import { useEffect, useRef } from 'react';
import { basicSetup } from 'codemirror';
import { Compartment, EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { yaml } from '@codemirror/lang-yaml';
import { Diagnostic, lintGutter, setDiagnostics } from '@codemirror/lint';
import { CompletionContext, CompletionResult } from '@codemirror/autocomplete';
import type { Completion } from '@cairn/plugin-pipelines-common';

/** A problem at a line (1-based) and column (1-based) of the text. */
export interface TextMarker {
  severity: 'error' | 'warning';
  message: string;
  line: number;
  column?: number;
}

function toDiagnostics(state: EditorState, markers: TextMarker[]) {
  const doc = state.doc;
  return markers.map((m): Diagnostic => {
    const line = doc.line(Math.min(Math.max(m.line, 1), doc.lines));
    const from = Math.min(
      line.from + Math.max((m.column ?? 1) - 1, 0),
      line.to,
    );
    return {
      from,
      to: m.column ? Math.min(from + 1, line.to) : line.to,
      severity: m.severity,
      message: m.message,
    };
  });
}

/**
 * The YAML text of the pipeline in CodeMirror 6: edits go to `onChange`,
 * a new `value` from outside (a form or graph edit, undo) replaces the text,
 * `markers` show as lint diagnostics, and `$(` offers what `completionsAt`
 * gives for the caret's offset in the text.
 */
export function YamlEditor(props: {
  value: string;
  onChange: (text: string) => void;
  markers: TextMarker[];
  /** What a value at `offset` of `text` may use. */
  completionsAt: (text: string, offset: number) => Completion[];
  readOnly?: boolean;
}) {
  const parent = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView>();
  const editable = useRef(new Compartment());
  // The extensions read the latest props without rebuilding the editor.
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    const complete = (context: CompletionContext): CompletionResult | null => {
      const word = context.matchBefore(/\$\([\w.\-[\]'"*]*/);
      if (!word) return null;
      return {
        from: word.from,
        options: latest.current
          .completionsAt(context.state.doc.toString(), context.pos)
          .map(c => ({
            label: c.label,
            detail: c.detail,
            type: c.type === 'param' ? 'variable' : 'property',
          })),
        validFor: /^\$\([\w.\-[\]'"*]*$/,
      };
    };
    const editor = new EditorView({
      parent: parent.current!,
      state: EditorState.create({
        doc: latest.current.value,
        extensions: [
          basicSetup,
          yaml(),
          lintGutter(),
          editable.current.of(EditorView.editable.of(!latest.current.readOnly)),
          EditorState.languageData.of(() => [{ autocomplete: complete }]),
          EditorView.contentAttributes.of({ 'aria-label': 'Pipeline YAML' }),
          EditorView.updateListener.of(update => {
            if (update.docChanged) {
              const text = update.state.doc.toString();
              if (text !== latest.current.value) latest.current.onChange(text);
            }
          }),
          EditorView.theme({
            '&': { height: '100%', fontSize: '13px' },
            '.cm-scroller': { overflow: 'auto' },
          }),
        ],
      }),
    });
    view.current = editor;
    return () => editor.destroy();
  }, []);

  useEffect(() => {
    const editor = view.current;
    if (!editor) return;
    const current = editor.state.doc.toString();
    if (current !== props.value) {
      editor.dispatch({
        changes: { from: 0, to: current.length, insert: props.value },
      });
    }
    editor.dispatch(
      setDiagnostics(editor.state, toDiagnostics(editor.state, props.markers)),
    );
  }, [props.value, props.markers]);

  useEffect(() => {
    view.current?.dispatch({
      effects: editable.current.reconfigure(
        EditorView.editable.of(!props.readOnly),
      ),
    });
  }, [props.readOnly]);

  return (
    <div
      ref={parent}
      data-testid="yaml-editor"
      style={{ height: '100%', minHeight: 0 }}
    />
  );
}
