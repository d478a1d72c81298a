import {
  createContext,
  KeyboardEvent,
  useContext,
  useRef,
  useState,
} from 'react';
import {
  ClickAwayListener,
  MenuItem,
  MenuList,
  Paper,
  Popper,
  TextField,
  TextFieldProps,
  Typography,
} from '@material-ui/core';
import type { Completion } from '@cairn/plugin-pipelines-common';

/** What `$(…)` references the fields below may complete (from `completionsFor`). */
export const CompletionsContext = createContext<Completion[]>([]);

/** The `$(…` being typed just before the caret, if any. */
export function openReference(
  text: string,
  caret: number,
): { start: number; prefix: string } | undefined {
  const before = text.slice(0, caret);
  const match = /\$\([\w.\-[\]'"*]*$/.exec(before);
  return match ? { start: match.index, prefix: match[0] } : undefined;
}

/** `text` with the reference being typed at the caret replaced by `label`. */
export function insertCompletion(
  text: string,
  caret: number,
  label: string,
): { text: string; caret: number } {
  const open = openReference(text, caret);
  if (!open) return { text, caret };
  const rest = text.slice(caret);
  // A closing parenthesis the user already typed is part of the completion.
  const after = rest.startsWith(')') ? rest.slice(1) : rest;
  return {
    text: text.slice(0, open.start) + label + after,
    caret: open.start + label.length,
  };
}

/**
 * A text field that offers the references in {@link CompletionsContext}
 * while a `$(` is being typed: arrow keys choose, Enter or Tab inserts,
 * Escape closes.
 */
export function RefTextField(props: TextFieldProps) {
  const completions = useContext(CompletionsContext);
  const inputRef = useRef<HTMLInputElement | HTMLTextAreaElement | null>(null);
  const anchorRef = useRef<HTMLDivElement | null>(null);
  const [caret, setCaret] = useState<number | undefined>();
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState(false);
  const text = String(props.value ?? '');
  const open = caret === undefined ? undefined : openReference(text, caret);
  const options = open
    ? completions.filter(c => c.label.startsWith(open.prefix))
    : [];
  const showing = !dismissed && options.length > 0;

  const choose = (completion: Completion) => {
    if (caret === undefined) return;
    const next = insertCompletion(text, caret, completion.label);
    props.onChange?.({
      target: { value: next.text },
      currentTarget: { value: next.text },
    } as React.ChangeEvent<HTMLInputElement>);
    setCaret(next.caret);
    setDismissed(true);
    requestAnimationFrame(() => {
      inputRef.current?.focus();
      inputRef.current?.setSelectionRange(next.caret, next.caret);
    });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (showing) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const step = e.key === 'ArrowDown' ? 1 : -1;
        setActive(i => (i + step + options.length) % options.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        choose(options[Math.min(active, options.length - 1)]);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        setDismissed(true);
        return;
      }
    }
    props.onKeyDown?.(e);
  };

  return (
    <>
      <TextField
        {...props}
        ref={anchorRef}
        inputRef={inputRef}
        onKeyDown={onKeyDown}
        onChange={e => {
          setCaret(e.target.selectionStart ?? e.target.value.length);
          setActive(0);
          setDismissed(false);
          props.onChange?.(e);
        }}
        inputProps={{
          ...props.inputProps,
          'aria-autocomplete': 'list',
          'aria-expanded': showing,
        }}
      />
      <Popper
        open={showing}
        anchorEl={anchorRef.current}
        placement="bottom-start"
        style={{ zIndex: 1500 }}
      >
        <ClickAwayListener onClickAway={() => setDismissed(true)}>
          <Paper elevation={4}>
            <MenuList dense aria-label="References" role="listbox">
              {options.slice(0, 50).map((c, i) => (
                <MenuItem
                  key={c.label}
                  role="option"
                  selected={i === active}
                  aria-selected={i === active}
                  onMouseDown={e => e.preventDefault()}
                  onClick={() => choose(c)}
                >
                  <Typography variant="body2" component="span">
                    {c.label}
                  </Typography>
                  {c.detail && (
                    <Typography
                      variant="caption"
                      color="textSecondary"
                      component="span"
                      style={{ marginLeft: 8 }}
                    >
                      {c.detail}
                    </Typography>
                  )}
                </MenuItem>
              ))}
            </MenuList>
          </Paper>
        </ClickAwayListener>
      </Popper>
    </>
  );
}
