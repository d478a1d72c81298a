import { ComponentType } from 'react';
import {
  FormControl,
  FormHelperText,
  InputLabel,
  MenuItem,
  Select,
  TextField,
  TextFieldProps,
  Typography,
} from '@material-ui/core';
import { ParamFormField, ParamValue } from '@cairn/plugin-pipelines-common';

/** A param field's text: arrays one item per line, objects one text per key. */
export type ParamFieldValue = string | Record<string, string>;

/** The text a field starts with, from a typed value (default: the field's initial value). */
export function toParamFieldValue(
  field: ParamFormField,
  value: ParamValue | undefined = field.initialValue,
): ParamFieldValue {
  if (field.type === 'array') {
    return Array.isArray(value) ? value.join('\n') : '';
  }
  if (field.type === 'object') {
    const obj =
      value && typeof value === 'object' && !Array.isArray(value) ? value : {};
    const keys = [...new Set([...(field.keys ?? []), ...Object.keys(obj)])];
    return Object.fromEntries(keys.map(k => [k, obj[k] ?? '']));
  }
  return typeof value === 'string' ? value : '';
}

/** A field's text back into a typed value; `undefined` when left blank. */
export function fromParamFieldValue(
  field: ParamFormField,
  value: ParamFieldValue | undefined,
): ParamValue | undefined {
  if (field.type === 'array') {
    const text = typeof value === 'string' ? value : '';
    return text.trim() === ''
      ? undefined
      : text.split('\n').filter(line => line !== '');
  }
  if (field.type === 'object') {
    const entries = Object.entries(
      (value as Record<string, string>) ?? {},
    ).filter(([, v]) => v !== '');
    return entries.length ? Object.fromEntries(entries) : undefined;
  }
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * One param's input: a choice for an enum, one field per key for an object,
 * one item per line for an array, else a text field; the label marks
 * required params and the help shows the error or the description.
 */
export function ParamField(props: {
  field: ParamFormField;
  value: ParamFieldValue | undefined;
  error?: string;
  onChange: (value: ParamFieldValue) => void;
  /** The text input to use (e.g. one that completes `$(…)` references). */
  TextFieldComponent?: ComponentType<TextFieldProps>;
}) {
  const { field, value, error, onChange } = props;
  const Text = props.TextFieldComponent ?? TextField;
  const help = error ?? field.description;
  const label = `${field.name}${field.required ? ' *' : ''}`;
  if (field.enum) {
    return (
      <FormControl fullWidth margin="dense" error={!!error}>
        <InputLabel id={`param-${field.name}`}>{label}</InputLabel>
        <Select
          labelId={`param-${field.name}`}
          value={value ?? ''}
          onChange={e => onChange(e.target.value as string)}
          inputProps={{ 'aria-label': field.name }}
        >
          {!field.required && (
            <MenuItem value="">
              <em>default</em>
            </MenuItem>
          )}
          {field.enum.map(v => (
            <MenuItem key={v} value={v}>
              {v}
            </MenuItem>
          ))}
        </Select>
        {help && <FormHelperText>{help}</FormHelperText>}
      </FormControl>
    );
  }
  if (field.type === 'object') {
    const obj = (value as Record<string, string>) ?? {};
    return (
      <FormControl fullWidth margin="dense" error={!!error}>
        <Typography variant="subtitle2">{label}</Typography>
        {Object.keys(obj).map(key => (
          <Text
            key={key}
            id={`param-${field.name}-${key}`}
            label={`${field.name}.${key}`}
            value={obj[key]}
            margin="dense"
            onChange={e => onChange({ ...obj, [key]: e.target.value })}
          />
        ))}
        {help && <FormHelperText>{help}</FormHelperText>}
      </FormControl>
    );
  }
  return (
    <Text
      label={label}
      fullWidth
      margin="dense"
      multiline={field.type === 'array'}
      minRows={field.type === 'array' ? 2 : undefined}
      value={value ?? ''}
      placeholder={
        field.type === 'array'
          ? 'one item per line'
          : (field.default as string | undefined)
      }
      error={!!error}
      helperText={
        help ?? (field.type === 'array' ? 'One item per line' : undefined)
      }
      onChange={e => onChange(e.target.value)}
      inputProps={{ 'aria-label': field.name }}
    />
  );
}
