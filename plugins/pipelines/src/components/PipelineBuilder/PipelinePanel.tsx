import {
  Box,
  FormControl,
  InputLabel,
  MenuItem,
  Select,
  TextField,
  Typography,
} from '@material-ui/core';
import { Pipeline, ValidationProblem } from '@cairn/plugin-pipelines-common';
import { EditPath, Field, ObjectList, PARAM_SPEC_FIELDS } from './forms';
import { ProblemList } from './ProblemList';

/** Where a new pipeline is created. */
export interface PipelineLocation {
  cluster: string;
  namespace: string;
}

/**
 * The pipeline's own form (shown when no task is selected): its name (new
 * pipelines only; Kubernetes cannot rename), where it is created, and its
 * description, params, workspaces and results.
 */
export function PipelinePanel(props: {
  pipeline: Pipeline;
  isNew: boolean;
  /** For a new pipeline: the clusters it may go to, and where it goes. */
  clusters?: string[];
  location?: PipelineLocation;
  onLocation?: (location: PipelineLocation) => void;
  problems: ValidationProblem[];
  readOnly?: boolean;
  onSet: (path: EditPath, value: unknown) => void;
  onSelectTask: (task: string) => void;
}) {
  const { pipeline, readOnly, onSet, location } = props;
  return (
    <Box>
      <Typography variant="h6">Pipeline {pipeline.metadata.name}</Typography>
      {props.isNew ? (
        <>
          <Field
            def={{
              key: 'name',
              label: 'Pipeline name',
              help: 'Lowercase letters, digits and "-"; cannot change once saved',
            }}
            idPrefix="pipeline"
            value={pipeline.metadata.name}
            readOnly={readOnly}
            onChange={v => onSet(['metadata', 'name'], v)}
          />
          {location && props.onLocation && (
            <Box display="flex" style={{ gap: 8 }}>
              <FormControl fullWidth margin="dense">
                <InputLabel id="pipeline-cluster">Cluster</InputLabel>
                <Select
                  labelId="pipeline-cluster"
                  value={location.cluster}
                  inputProps={{ 'aria-label': 'Cluster' }}
                  onChange={e =>
                    props.onLocation!({
                      ...location,
                      cluster: String(e.target.value),
                    })
                  }
                >
                  {(props.clusters ?? []).map(c => (
                    <MenuItem key={c} value={c}>
                      {c}
                    </MenuItem>
                  ))}
                </Select>
              </FormControl>
              <TextField
                id="pipeline-namespace"
                label="Namespace"
                fullWidth
                margin="dense"
                value={location.namespace}
                inputProps={{ 'aria-label': 'Namespace' }}
                onChange={e =>
                  props.onLocation!({ ...location, namespace: e.target.value })
                }
              />
            </Box>
          )}
        </>
      ) : (
        <Typography variant="body2" color="textSecondary">
          {pipeline.metadata.namespace}
        </Typography>
      )}
      <ProblemList
        problems={props.problems}
        onSelectTask={props.onSelectTask}
      />
      <Field
        def={{
          key: 'description',
          label: 'Pipeline description',
          kind: 'multiline',
        }}
        idPrefix="pipeline"
        value={pipeline.spec.description}
        readOnly={readOnly}
        onChange={v => onSet(['spec', 'description'], v)}
      />
      <ObjectList
        title="Params"
        itemName="param"
        items={pipeline.spec.params}
        fields={PARAM_SPEC_FIELDS}
        readOnly={readOnly}
        newItem={() => ({ name: '', type: 'string' })}
        set={(path, v) => onSet(['spec', 'params', ...path], v)}
      />
      <ObjectList
        title="Workspaces"
        itemName="workspace"
        items={pipeline.spec.workspaces}
        fields={[
          { key: 'name', label: 'Name' },
          { key: 'description', label: 'Description' },
          { key: 'optional', label: 'Optional', kind: 'checkbox' },
        ]}
        readOnly={readOnly}
        newItem={() => ({ name: '' })}
        set={(path, v) => onSet(['spec', 'workspaces', ...path], v)}
      />
      <ObjectList
        title="Results"
        itemName="result"
        items={pipeline.spec.results}
        fields={[
          { key: 'name', label: 'Name' },
          { key: 'description', label: 'Description' },
          { key: 'value', label: 'Value', refs: true },
        ]}
        readOnly={readOnly}
        newItem={() => ({ name: '', value: '' })}
        set={(path, v) => onSet(['spec', 'results', ...path], v)}
      />
    </Box>
  );
}
