import { ReactNode, useState } from 'react';
import {
  Checkbox,
  Dialog,
  DialogContent,
  DialogTitle,
  FormControl,
  FormControlLabel,
  FormHelperText,
  MenuItem,
  Select,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import {
  durationSchema,
  ParamFormField,
  ParamSpec,
  ParamValues,
  PipelineRunTimeouts,
  validateParamInput,
  WorkspaceBinding,
} from '@cairn/plugin-pipelines-common';
import { PipelineSummary, StartRunRequest } from '../../api';
import { SubmitActions, useSubmit } from './submitting';
import {
  fromParamFieldValue,
  ParamField,
  ParamFieldValue,
  toParamFieldValue,
} from './ParamField';

/**
 * What the start form produces: a start request without the Pipeline it is
 * about; typed param values (string, string[] or object), blanks left out.
 */
export type StartRunValues = Omit<
  StartRunRequest,
  'cluster' | 'namespace' | 'pipeline'
> & { params: ParamValues };

/** How a workspace is bound in the form, and the name or size it needs. */
type WorkspaceKind =
  | 'none'
  | 'volumeClaimTemplate'
  | 'persistentVolumeClaim'
  | 'emptyDir'
  | 'configMap'
  | 'secret';

const WORKSPACE_KINDS: Array<{
  kind: WorkspaceKind;
  label: string;
  input?: string;
}> = [
  { kind: 'volumeClaimTemplate', label: 'New volume per run', input: 'Size' },
  {
    kind: 'persistentVolumeClaim',
    label: 'Existing claim',
    input: 'Claim name',
  },
  { kind: 'emptyDir', label: 'Empty directory (one task only)' },
  { kind: 'configMap', label: 'ConfigMap', input: 'ConfigMap name' },
  { kind: 'secret', label: 'Secret', input: 'Secret name' },
];

type WorkspaceChoice = { kind: WorkspaceKind; value: string };

function toBinding(
  name: string,
  choice: WorkspaceChoice,
): WorkspaceBinding | undefined {
  const value = choice.value.trim();
  switch (choice.kind) {
    case 'volumeClaimTemplate':
      return {
        name,
        volumeClaimTemplate: {
          spec: {
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: value } },
          },
        },
      };
    case 'persistentVolumeClaim':
      return { name, persistentVolumeClaim: { claimName: value } };
    case 'emptyDir':
      return { name, emptyDir: {} };
    case 'configMap':
      return { name, configMap: { name: value } };
    case 'secret':
      return { name, secret: { secretName: value } };
    default:
      return undefined;
  }
}

/** The param declarations a form's fields came from, for validation. */
function toSpecs(fields: ParamFormField[]): ParamSpec[] {
  return fields.map(f => ({
    name: f.name,
    type: f.type,
    description: f.description,
    ...(f.default !== undefined ? { default: f.default } : {}),
    ...(f.enum ? { enum: f.enum } : {}),
    ...(f.keys
      ? {
          properties: Object.fromEntries(
            f.keys.map(k => [k, { type: 'string' as const }]),
          ),
        }
      : {}),
  }));
}

const TIMEOUT_KEYS: Array<keyof PipelineRunTimeouts> = [
  'pipeline',
  'tasks',
  'finally',
];

/** The form's text back into typed param input; blanks are left out. */
function toInput(
  fields: ParamFormField[],
  values: Record<string, ParamFieldValue>,
): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const field of fields) {
    const value = fromParamFieldValue(field, values[field.name]);
    if (value !== undefined) input[field.name] = value;
  }
  return input;
}

/**
 * A dialog that starts a run, or reruns one: a field per pipeline param
 * (enums as choices, arrays one item per line, objects one field per key),
 * validated with the same rules as the server; for a new run also the
 * service account (one of those the portal allows, or the namespace's
 * default) and timeouts.
 */
export function StartRunDialog(props: {
  open: boolean;
  title: string;
  submitLabel: string;
  /** One field per param, pre-filled (the server builds them with buildParamForm). */
  fields: ParamFormField[];
  /** Workspaces to bind (a new run). */
  workspaces?: PipelineSummary['workspaces'];
  /** Show service account and timeouts (a new run; not a rerun). */
  withRunOptions?: boolean;
  /**
   * The service accounts the run may name (the pipeline's `serviceAccounts`);
   * none: the namespace's default only.
   */
  serviceAccounts?: string[];
  /** Shown above the fields, e.g. the pipeline's description. */
  header?: ReactNode;
  onSubmit: (values: StartRunValues) => Promise<void>;
  onClose: () => void;
}) {
  const { open, title, submitLabel, fields, withRunOptions } = props;
  const workspaces = props.workspaces ?? [];
  const paramSpecs = toSpecs(fields);
  const [bindings, setBindings] = useState<Record<string, WorkspaceChoice>>(
    () =>
      Object.fromEntries(
        workspaces.map(w => [
          w.name,
          w.optional
            ? { kind: 'none' as const, value: '' }
            : { kind: 'volumeClaimTemplate' as const, value: '1Gi' },
        ]),
      ),
  );
  const [values, setValues] = useState<Record<string, ParamFieldValue>>(() =>
    Object.fromEntries(fields.map(f => [f.name, toParamFieldValue(f)])),
  );
  const [serviceAccountName, setServiceAccountName] = useState('');
  const [hold, setHold] = useState(false);
  const [timeouts, setTimeouts] = useState<PipelineRunTimeouts>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const {
    busy,
    failure,
    submit: send,
  } = useSubmit(props.onSubmit, { settle: true });

  const setValue = (name: string, value: ParamFieldValue) =>
    setValues(prev => ({ ...prev, [name]: value }));

  const submit = async () => {
    const input = toInput(fields, values);
    const result = validateParamInput(paramSpecs, input);
    const found: Record<string, string> = {};
    for (const e of result.errors) found[e.param] = e.message;
    const chosenTimeouts: PipelineRunTimeouts = {};
    for (const key of TIMEOUT_KEYS) {
      const text = timeouts[key]?.trim();
      if (!withRunOptions || !text) continue;
      const duration = durationSchema.safeParse(text);
      if (!duration.success) {
        found[`@timeouts.${key}`] = duration.error.issues[0].message;
      } else {
        chosenTimeouts[key] = text;
      }
    }
    const chosenWorkspaces: WorkspaceBinding[] = [];
    for (const w of workspaces) {
      const choice = bindings[w.name];
      const needsValue = WORKSPACE_KINDS.find(
        k => k.kind === choice.kind,
      )?.input;
      if (needsValue && !choice.value.trim()) {
        found[`@workspace.${w.name}`] = `${needsValue} is required`;
        continue;
      }
      const binding = toBinding(w.name, choice);
      if (binding) chosenWorkspaces.push(binding);
    }
    setErrors(found);
    if (Object.keys(found).length) return;
    await send({
      params: Object.fromEntries(result.params.map(p => [p.name, p.value])),
      ...(withRunOptions && serviceAccountName ? { serviceAccountName } : {}),
      ...(withRunOptions && Object.keys(chosenTimeouts).length
        ? { timeouts: chosenTimeouts }
        : {}),
      ...(chosenWorkspaces.length ? { workspaces: chosenWorkspaces } : {}),
      ...(withRunOptions && hold ? { pending: true } : {}),
    });
  };

  return (
    <Dialog open={open} onClose={busy ? undefined : props.onClose} fullWidth>
      <DialogTitle>{title}</DialogTitle>
      <DialogContent>
        {fields.length === 0 && (
          <Typography variant="body2">
            This pipeline takes no params.
          </Typography>
        )}
        {props.header}
        {fields.map(field => (
          <ParamField
            key={field.name}
            field={field}
            value={values[field.name]}
            error={errors[field.name]}
            onChange={value => setValue(field.name, value)}
          />
        ))}
        {workspaces.map(w => {
          const choice = bindings[w.name];
          const input = WORKSPACE_KINDS.find(
            k => k.kind === choice.kind,
          )?.input;
          const error = errors[`@workspace.${w.name}`];
          return (
            <FormControl key={w.name} fullWidth margin="dense" error={!!error}>
              <Typography variant="subtitle2">
                Workspace {w.name}
                {w.optional ? '' : ' *'}
              </Typography>
              <Select
                value={choice.kind}
                inputProps={{ 'aria-label': `workspace ${w.name}` }}
                onChange={e =>
                  setBindings(prev => ({
                    ...prev,
                    [w.name]: {
                      kind: e.target.value as WorkspaceKind,
                      value:
                        e.target.value === 'volumeClaimTemplate' ? '1Gi' : '',
                    },
                  }))
                }
              >
                {w.optional && <MenuItem value="none">Not bound</MenuItem>}
                {WORKSPACE_KINDS.map(k => (
                  <MenuItem key={k.kind} value={k.kind}>
                    {k.label}
                  </MenuItem>
                ))}
              </Select>
              {input && (
                <TextField
                  id={`workspace-${w.name}-value`}
                  label={`${w.name}: ${input}`}
                  margin="dense"
                  value={choice.value}
                  onChange={e =>
                    setBindings(prev => ({
                      ...prev,
                      [w.name]: { ...choice, value: e.target.value },
                    }))
                  }
                />
              )}
              <FormHelperText>{error ?? w.description}</FormHelperText>
            </FormControl>
          );
        })}
        {withRunOptions && (
          <>
            <TextField
              id="start-service-account"
              label="Service account"
              select
              SelectProps={{ native: true }}
              InputLabelProps={{ shrink: true }}
              fullWidth
              margin="dense"
              value={serviceAccountName}
              disabled={!props.serviceAccounts?.length}
              helperText={
                props.serviceAccounts?.length
                  ? "The run's pods act as this account in the cluster."
                  : 'No other account is allowed for this namespace (pipelines.serviceAccounts in app-config).'
              }
              onChange={e => setServiceAccountName(e.target.value)}
            >
              <option value="">Namespace default</option>
              {(props.serviceAccounts ?? []).map(name => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </TextField>
            {TIMEOUT_KEYS.map(key => (
              <TextField
                key={key}
                id={`start-timeout-${key}`}
                label={`Timeout (${key})`}
                margin="dense"
                style={{ marginRight: 8 }}
                value={timeouts[key] ?? ''}
                placeholder={key === 'pipeline' ? '1h' : ''}
                error={!!errors[`@timeouts.${key}`]}
                helperText={errors[`@timeouts.${key}`]}
                onChange={e =>
                  setTimeouts(prev => ({ ...prev, [key]: e.target.value }))
                }
              />
            ))}
            <FormControlLabel
              control={
                <Checkbox
                  checked={hold}
                  onChange={e => setHold(e.target.checked)}
                />
              }
              label="Hold the run (PipelineRunPending): create it now, start it later"
            />
          </>
        )}
        {failure && (
          <Alert severity="error" style={{ marginTop: 16 }}>
            {failure}
          </Alert>
        )}
      </DialogContent>
      <SubmitActions
        busy={busy}
        submitLabel={submitLabel}
        color="primary"
        onClose={props.onClose}
        onSubmit={submit}
      />
    </Dialog>
  );
}
