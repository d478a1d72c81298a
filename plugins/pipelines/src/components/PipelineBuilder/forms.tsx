import { ReactNode, useEffect, useState } from 'react';
import {
  Box,
  Button,
  Checkbox,
  FormControl,
  FormControlLabel,
  FormHelperText,
  IconButton,
  InputLabel,
  MenuItem,
  Select,
  TextField,
  Typography,
} from '@material-ui/core';
import DeleteIcon from '@material-ui/icons/Delete';
import { RefTextField } from './RefTextField';

/** A path inside the object being edited, as BuilderEdit paths are. */
export type EditPath = Array<string | number>;

/** Sets (or, with `undefined`, deletes) the value at a path; `key` groups keystrokes into one undo step. */
export type SetField = (path: EditPath, value: unknown) => void;

/** How one property of a list item is edited. */
export interface FieldDef {
  /** Dotted path inside the item, e.g. `computeResources.limits.cpu`. */
  key: string;
  label: string;
  kind?: 'text' | 'multiline' | 'lines' | 'number' | 'select' | 'checkbox';
  options?: string[];
  /** What an unset select means, e.g. Tekton's default. */
  unsetLabel?: string;
  /** Offer `$(…)` completion. */
  refs?: boolean;
  help?: string;
}

function getPath(item: unknown, path: string[]): unknown {
  return path.reduce<unknown>(
    (value, key) =>
      value && typeof value === 'object'
        ? (value as Record<string, unknown>)[key]
        : undefined,
    item,
  );
}

/** A field's text back into the YAML value; blank deletes the property. */
export function fieldValue(def: FieldDef, input: string | boolean): unknown {
  if (def.kind === 'checkbox') return input === true ? true : undefined;
  const text = String(input);
  if (text === '') return undefined;
  if (def.kind === 'lines') return text.split('\n');
  if (def.kind === 'number') {
    const n = Number(text);
    return Number.isFinite(n) ? n : text;
  }
  return text;
}

function fieldText(def: FieldDef, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (def.kind === 'lines') {
    return Array.isArray(value) ? value.join('\n') : String(value);
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * The fields of a param declaration (a pipeline's or an inline task's):
 * an unset type is a string, or an array when the default is one.
 */
export const PARAM_SPEC_FIELDS: FieldDef[] = [
  { key: 'name', label: 'Name' },
  {
    key: 'type',
    label: 'Type',
    kind: 'select',
    options: ['string', 'array', 'object'],
    unsetLabel: 'not set (string)',
  },
  { key: 'description', label: 'Description' },
  { key: 'default', label: 'Default (string params)' },
];

/** One property of an object: text (with completion), lines, number, choice or checkbox. */
export function Field(props: {
  def: FieldDef;
  value: unknown;
  idPrefix: string;
  /** The accessible name, when the label alone is ambiguous (fields of list items). */
  ariaLabel?: string;
  readOnly?: boolean;
  error?: string;
  onChange: (value: unknown) => void;
}) {
  const { def, value, readOnly } = props;
  const ariaLabel = props.ariaLabel ?? def.label;
  const id = `${props.idPrefix}-${def.key}`;
  if (def.kind === 'checkbox') {
    return (
      <FormControlLabel
        control={
          <Checkbox
            checked={value === true}
            disabled={readOnly}
            inputProps={{ 'aria-label': ariaLabel }}
            onChange={e => props.onChange(fieldValue(def, e.target.checked))}
          />
        }
        label={def.label}
      />
    );
  }
  if (def.kind === 'select') {
    return (
      <FormControl fullWidth margin="dense" disabled={readOnly}>
        <InputLabel
          id={`${id}-label`}
          shrink={def.unsetLabel ? true : undefined}
        >
          {def.label}
        </InputLabel>
        <Select
          labelId={`${id}-label`}
          value={fieldText(def, value)}
          displayEmpty={!!def.unsetLabel}
          onChange={e =>
            props.onChange(fieldValue(def, String(e.target.value)))
          }
          inputProps={{ 'aria-label': ariaLabel }}
        >
          <MenuItem value="">
            <em>{def.unsetLabel ?? 'not set'}</em>
          </MenuItem>
          {(def.options ?? []).map(o => (
            <MenuItem key={o} value={o}>
              {o}
            </MenuItem>
          ))}
        </Select>
        {def.help && <FormHelperText>{def.help}</FormHelperText>}
      </FormControl>
    );
  }
  const Text = def.refs ? RefTextField : TextField;
  const multiline = def.kind === 'multiline' || def.kind === 'lines';
  return (
    <Text
      id={id}
      label={def.label}
      fullWidth
      margin="dense"
      disabled={readOnly}
      multiline={multiline}
      minRows={multiline ? 2 : undefined}
      type={def.kind === 'number' ? 'number' : undefined}
      value={fieldText(def, value)}
      error={!!props.error}
      helperText={
        props.error ?? def.help ?? (def.kind === 'lines' ? 'One per line' : '')
      }
      inputProps={{
        'aria-label': ariaLabel,
        style:
          def.kind === 'multiline' ? { fontFamily: 'monospace' } : undefined,
      }}
      onChange={e => props.onChange(fieldValue(def, e.target.value))}
    />
  );
}

/**
 * A list of objects (steps, params, env, …), each edited with `fields`:
 * every change is an edit of that item's path, so what the form does not
 * show survives.
 */
export function ObjectList(props: {
  title: string;
  /** Names one item, for the remove button's accessible name. */
  itemName: string;
  items: unknown[] | undefined;
  fields: FieldDef[];
  newItem: () => Record<string, unknown>;
  set: SetField;
  readOnly?: boolean;
  /** Extra content under an item (e.g. a nested list). */
  renderExtra?: (item: unknown, index: number) => ReactNode;
}) {
  const items = props.items ?? [];
  return (
    <Box mt={2}>
      <Typography variant="subtitle2">{props.title}</Typography>
      {items.map((item, index) => {
        const label =
          (item as { name?: string })?.name || `${props.itemName} ${index + 1}`;
        return (
          <Box
            key={index}
            border={1}
            borderColor="divider"
            borderRadius={4}
            p={1}
            mt={1}
            role="group"
            aria-label={`${props.itemName} ${label}`}
          >
            <Box display="flex" alignItems="center">
              <Typography variant="caption" style={{ flex: 1 }}>
                {label}
              </Typography>
              {!props.readOnly && (
                <IconButton
                  size="small"
                  aria-label={`Remove ${props.itemName} ${label}`}
                  onClick={() => props.set([index], undefined)}
                >
                  <DeleteIcon fontSize="small" />
                </IconButton>
              )}
            </Box>
            {props.fields.map(def => (
              <Field
                key={def.key}
                def={def}
                idPrefix={`${props.itemName}-${index}`}
                ariaLabel={`${def.label} of ${props.itemName} ${label}`}
                value={getPath(item, def.key.split('.'))}
                readOnly={props.readOnly}
                onChange={value =>
                  props.set([index, ...def.key.split('.')], value)
                }
              />
            ))}
            {props.renderExtra?.(item, index)}
          </Box>
        );
      })}
      {!props.readOnly && (
        <Button
          size="small"
          onClick={() => props.set([items.length], props.newItem())}
        >
          Add {props.itemName}
        </Button>
      )}
    </Box>
  );
}

/**
 * A text field whose value is committed on blur or Enter, not per keystroke:
 * for names, whose every intermediate value would rewrite references.
 */
export function CommitTextField(props: {
  id: string;
  label: string;
  value: string;
  readOnly?: boolean;
  error?: string;
  help?: string;
  onCommit: (value: string) => void;
}) {
  const [draft, setDraft] = useState(props.value);
  useEffect(() => setDraft(props.value), [props.value]);
  const commit = () => {
    if (draft !== props.value) props.onCommit(draft.trim());
  };
  return (
    <TextField
      id={props.id}
      label={props.label}
      fullWidth
      margin="dense"
      disabled={props.readOnly}
      value={draft}
      error={!!props.error}
      helperText={props.error ?? props.help}
      inputProps={{ 'aria-label': props.label }}
      onChange={e => setDraft(e.target.value)}
      onBlur={commit}
      onKeyDown={e => {
        if (e.key === 'Enter') commit();
        if (e.key === 'Escape') setDraft(props.value);
      }}
    />
  );
}
