import {
  Box,
  Checkbox,
  Chip,
  FormControl,
  InputLabel,
  ListItemText,
  MenuItem,
  Select,
  Typography,
} from '@material-ui/core';
import {
  buildParamForm,
  Completion,
  Param,
  ParamFormField,
  ParamType,
  Pipeline,
  PipelineTask,
  TaskSummary,
  ValidationProblem,
} from '@cairn/plugin-pipelines-common';
import {
  fromParamFieldValue,
  ParamField,
  toParamFieldValue,
} from '../actions/ParamField';
import {
  CommitTextField,
  EditPath,
  Field,
  ObjectList,
  PARAM_SPEC_FIELDS,
} from './forms';
import { ProblemList } from './ProblemList';
import { CompletionsContext, RefTextField } from './RefTextField';

const ON_ERROR = ['continue', 'stopAndFail'];

const STEP_FIELDS = [
  { key: 'name', label: 'Step name' },
  // Tekton substitutes params in the image too, e.g. $(params.builder-image).
  { key: 'image', label: 'Image', refs: true },
  { key: 'script', label: 'Script', kind: 'multiline' as const, refs: true },
  { key: 'command', label: 'Command', kind: 'lines' as const, refs: true },
  { key: 'args', label: 'Args', kind: 'lines' as const, refs: true },
  { key: 'workingDir', label: 'Working directory', refs: true },
  {
    key: 'onError',
    label: 'On error',
    kind: 'select' as const,
    options: ON_ERROR,
  },
  { key: 'computeResources.requests.cpu', label: 'CPU request' },
  { key: 'computeResources.requests.memory', label: 'Memory request' },
  { key: 'computeResources.limits.cpu', label: 'CPU limit' },
  { key: 'computeResources.limits.memory', label: 'Memory limit' },
];

function valueType(value: Param['value']): ParamType {
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : 'string';
}

/** The fields of a param declared by the task, else of a value it passes without a declaration. */
function paramFields(
  task: PipelineTask,
  summary: TaskSummary | undefined,
): ParamFormField[] {
  if (summary) return summary.params;
  if (task.taskSpec) return buildParamForm(task.taskSpec.params ?? []);
  return buildParamForm(
    (task.params ?? []).map(p => ({
      name: p.name,
      type: valueType(p.value),
      default: '',
    })),
  );
}

/**
 * The selected task's form: name (a rename rewrites references), display
 * name, description, what it runs after, its params (typed from its Task),
 * an inline task's steps, params, results and workspaces, `when`
 * expressions, retries, timeout, onError and workspace bindings.
 */
export function TaskPanel(props: {
  task: PipelineTask;
  isFinally: boolean;
  pipeline: Pipeline;
  summary?: TaskSummary;
  problems: ValidationProblem[];
  /** What the fields of an inline task's steps may reference (from `completionsFor` with `taskSpec`). */
  stepCompletions: Completion[];
  readOnly?: boolean;
  onRename: (to: string) => void;
  onSet: (path: EditPath, value: unknown) => void;
  onRunAfter: (from: string, add: boolean) => void;
}) {
  const { task, pipeline, summary, readOnly, onSet } = props;
  const inline = !!task.taskSpec;
  const params = task.params ?? [];
  const others = (pipeline.spec.tasks ?? [])
    .map(t => t.name)
    .filter(n => n !== task.name);
  const runAfter = task.runAfter ?? [];
  const declaredWorkspaces =
    summary?.workspaces ?? task.taskSpec?.workspaces ?? [];
  const pipelineWorkspaces = (pipeline.spec.workspaces ?? []).map(w => w.name);

  const setParam = (name: string, value: Param['value'] | undefined) => {
    const index = params.findIndex(p => p.name === name);
    if (index >= 0) {
      onSet(
        ['params', index, ...(value === undefined ? [] : ['value'])],
        value,
      );
    } else if (value !== undefined) {
      onSet(['params', params.length], { name, value });
    }
  };

  const setBinding = (name: string, workspace: string) => {
    const bindings = task.workspaces ?? [];
    const index = bindings.findIndex(b => b.name === name);
    if (index >= 0) {
      onSet(
        ['workspaces', index, ...(workspace ? ['workspace'] : [])],
        workspace || undefined,
      );
    } else if (workspace) {
      onSet(['workspaces', bindings.length], { name, workspace });
    }
  };

  return (
    <Box>
      <Typography variant="h6">
        {props.isFinally ? 'Finally task' : 'Task'} {task.name}
      </Typography>
      <Typography variant="body2" color="textSecondary">
        {inline
          ? 'Inline task (taskSpec)'
          : `Runs Task ${task.taskRef?.name ?? task.taskRef?.resolver ?? '?'}`}
        {!inline &&
          task.taskRef?.name &&
          !summary &&
          ' (not found in the namespace)'}
      </Typography>
      <ProblemList problems={props.problems} />
      <CommitTextField
        id="task-name"
        label="Task name"
        value={task.name}
        readOnly={readOnly}
        help="Renaming rewrites runAfter and $(tasks.…) references"
        onCommit={props.onRename}
      />
      <Field
        def={{ key: 'displayName', label: 'Display name' }}
        idPrefix="task"
        value={task.displayName}
        readOnly={readOnly}
        onChange={v => onSet(['displayName'], v)}
      />
      <Field
        def={{
          key: 'description',
          label: 'Task description',
          kind: 'multiline',
        }}
        idPrefix="task"
        value={task.description}
        readOnly={readOnly}
        onChange={v => onSet(['description'], v)}
      />
      {!props.isFinally && (
        <FormControl fullWidth margin="dense" disabled={readOnly}>
          <InputLabel id="task-run-after">Runs after</InputLabel>
          <Select
            labelId="task-run-after"
            multiple
            value={runAfter}
            inputProps={{ 'aria-label': 'Runs after' }}
            renderValue={selected => (
              <Box display="flex" flexWrap="wrap">
                {(selected as string[]).map(n => (
                  <Chip key={n} size="small" label={n} style={{ margin: 2 }} />
                ))}
              </Box>
            )}
            onChange={e => {
              const next = e.target.value as string[];
              for (const name of others) {
                const was = runAfter.includes(name);
                const is = next.includes(name);
                if (was !== is) props.onRunAfter(name, is);
              }
            }}
          >
            {others.map(name => (
              <MenuItem key={name} value={name}>
                <Checkbox checked={runAfter.includes(name)} />
                <ListItemText primary={name} />
              </MenuItem>
            ))}
          </Select>
        </FormControl>
      )}

      {paramFields(task, summary).length > 0 && (
        <Box mt={2}>
          <Typography variant="subtitle2">Params</Typography>
          {paramFields(task, summary).map(field => {
            const value = params.find(p => p.name === field.name)?.value;
            return (
              <ParamField
                key={field.name}
                field={field}
                value={toParamFieldValue(field, value)}
                TextFieldComponent={RefTextField}
                onChange={v =>
                  setParam(field.name, fromParamFieldValue(field, v))
                }
              />
            );
          })}
        </Box>
      )}

      {inline && (
        <>
          <CompletionsContext.Provider value={props.stepCompletions}>
            <ObjectList
              title="Steps"
              itemName="step"
              items={task.taskSpec?.steps}
              fields={STEP_FIELDS}
              readOnly={readOnly}
              newItem={() => ({ name: 'run', image: '', script: '' })}
              set={(path, v) => onSet(['taskSpec', 'steps', ...path], v)}
              renderExtra={(_, index) => (
                <ObjectList
                  title="Environment"
                  itemName="variable"
                  items={task.taskSpec?.steps?.[index]?.env}
                  fields={[
                    { key: 'name', label: 'Variable' },
                    { key: 'value', label: 'Value', refs: true },
                  ]}
                  readOnly={readOnly}
                  newItem={() => ({ name: '', value: '' })}
                  set={(path, v) =>
                    onSet(['taskSpec', 'steps', index, 'env', ...path], v)
                  }
                />
              )}
            />
          </CompletionsContext.Provider>
          <ObjectList
            title="Task params (declared)"
            itemName="param"
            items={task.taskSpec?.params}
            fields={PARAM_SPEC_FIELDS}
            readOnly={readOnly}
            newItem={() => ({ name: '', type: 'string' })}
            set={(path, v) => onSet(['taskSpec', 'params', ...path], v)}
          />
          <ObjectList
            title="Results"
            itemName="result"
            items={task.taskSpec?.results}
            fields={[
              { key: 'name', label: 'Name' },
              { key: 'description', label: 'Description' },
            ]}
            readOnly={readOnly}
            newItem={() => ({ name: '' })}
            set={(path, v) => onSet(['taskSpec', 'results', ...path], v)}
          />
          <ObjectList
            title="Task workspaces (declared)"
            itemName="workspace"
            items={task.taskSpec?.workspaces}
            fields={[
              { key: 'name', label: 'Name' },
              { key: 'description', label: 'Description' },
              { key: 'mountPath', label: 'Mount path' },
              { key: 'optional', label: 'Optional', kind: 'checkbox' },
            ]}
            readOnly={readOnly}
            newItem={() => ({ name: '' })}
            set={(path, v) => onSet(['taskSpec', 'workspaces', ...path], v)}
          />
        </>
      )}

      {declaredWorkspaces.length > 0 && (
        <Box mt={2}>
          <Typography variant="subtitle2">Workspace bindings</Typography>
          {declaredWorkspaces.map(w => (
            <Field
              key={w.name}
              def={{
                key: w.name,
                label: `${w.name}${
                  w.optional ? '' : ' *'
                } ← pipeline workspace`,
                kind: 'select',
                options: pipelineWorkspaces,
              }}
              idPrefix="binding"
              readOnly={readOnly}
              value={task.workspaces?.find(b => b.name === w.name)?.workspace}
              onChange={v => setBinding(w.name, (v as string) ?? '')}
            />
          ))}
        </Box>
      )}

      <ObjectList
        title="When (run only if all hold)"
        itemName="condition"
        items={task.when}
        fields={[
          { key: 'input', label: 'Input', refs: true },
          {
            key: 'operator',
            label: 'Operator',
            kind: 'select',
            options: ['in', 'notin'],
          },
          { key: 'values', label: 'Values', kind: 'lines', refs: true },
        ]}
        readOnly={readOnly}
        newItem={() => ({ input: '', operator: 'in', values: [''] })}
        set={(path, v) => onSet(['when', ...path], v)}
      />
      <Field
        def={{ key: 'retries', label: 'Retries', kind: 'number' }}
        idPrefix="task"
        value={task.retries}
        readOnly={readOnly}
        onChange={v => onSet(['retries'], v)}
      />
      <Field
        def={{
          key: 'timeout',
          label: 'Timeout',
          help: 'A duration such as 10m or 1h30m; 0 for none',
        }}
        idPrefix="task"
        value={task.timeout}
        readOnly={readOnly}
        onChange={v => onSet(['timeout'], v)}
      />
      <Field
        def={{
          key: 'onError',
          label: 'Task on error',
          kind: 'select',
          // A $(params.…) value written in the YAML stays choosable.
          options:
            task.onError && !ON_ERROR.includes(task.onError)
              ? [...ON_ERROR, task.onError]
              : ON_ERROR,
          help: 'continue: a failure of this task does not fail the run, the tasks after it still run (not with retries); stopAndFail (the default): the run fails',
        }}
        idPrefix="task"
        value={task.onError}
        readOnly={readOnly}
        onChange={v => onSet(['onError'], v)}
      />
    </Box>
  );
}
