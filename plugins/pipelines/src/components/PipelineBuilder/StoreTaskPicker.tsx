import { useState } from 'react';
import {
  Box,
  Button,
  List,
  ListItem,
  ListItemText,
  MenuItem,
  TextField,
  Tooltip,
  Typography,
} from '@material-ui/core';
import { useApiHolder } from '@backstage/core-plugin-api';
import type { PipelineTask } from '@cairn/plugin-pipelines-common';
import {
  templatePipelineTask,
  TemplateSummary,
  TemplateVersionDetail,
} from '@cairn/plugin-template-store-common';
import {
  InstallDialog,
  templateStoreApiRef,
} from '@cairn/plugin-template-store-react';
import useAsync from 'react-use/esm/useAsync';
import useDebounce from 'react-use/esm/useDebounce';

/** Where the builder's Pipeline is: where a store Task is installed for it. */
export interface StoreTarget {
  entityRef: string;
  cluster: string;
  namespace: string;
}

/** A param line with each param's description on hover. */
function ParamDocs({ version }: { version: TemplateVersionDetail }) {
  if (!version.docs.params.length) return null;
  return (
    <Typography variant="body2" component="div">
      Params:{' '}
      {version.docs.params.map((p, i) => (
        <span key={p.name}>
          {i > 0 && ', '}
          <Tooltip title={p.description ?? 'No description'}>
            <span style={{ textDecoration: 'underline dotted' }}>
              {p.name}
              {p.default === undefined ? '*' : ''} ({p.type})
            </span>
          </Tooltip>
        </span>
      ))}
    </Typography>
  );
}

/** One store Task, chosen: its version, docs, and how to add it. */
function ChosenTemplate(props: {
  template: TemplateSummary;
  target?: StoreTarget;
  onPick: (task: Omit<PipelineTask, 'name'> & { name: string }) => void;
}) {
  const api = useApiHolder().get(templateStoreApiRef)!;
  const { template, target } = props;
  const [versionName, setVersionName] = useState(template.latestVersion);
  const [installing, setInstalling] = useState(false);
  const [error, setError] = useState<string>();
  const detail = useAsync(
    () => api.getTemplate(template.kind, template.name),
    [api, template.kind, template.name],
  );
  const version = useAsync(
    () => api.getVersion(template.kind, template.name, versionName),
    [api, template.kind, template.name, versionName],
  );
  const pick = (mode: 'ref' | 'spec') => {
    try {
      props.onPick(templatePipelineTask(version.value!, mode) as any);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <Box ml={2} mb={1} aria-label={`Store Task ${template.name}`}>
      <TextField
        select
        id="store-task-version"
        label="Version"
        margin="dense"
        value={versionName}
        onChange={e => setVersionName(e.target.value)}
      >
        {(detail.value?.versions ?? [{ version: template.latestVersion }]).map(
          v => (
            <MenuItem key={v.version} value={v.version}>
              {v.version}
            </MenuItem>
          ),
        )}
      </TextField>
      {version.value && <ParamDocs version={version.value} />}
      {error && (
        <Typography variant="body2" color="error">
          {error}
        </Typography>
      )}
      <Box mt={1} display="flex" style={{ gap: 8 }}>
        <Button
          size="small"
          variant="outlined"
          color="primary"
          disabled={!version.value || !target}
          title={
            target
              ? undefined
              : 'Choose the cluster and namespace of the pipeline first'
          }
          onClick={() => setInstalling(true)}
        >
          Install and refer to it
        </Button>
        <Button
          size="small"
          variant="outlined"
          disabled={!version.value}
          onClick={() => pick('spec')}
        >
          Embed as taskSpec
        </Button>
      </Box>
      {installing && target && version.value && (
        <InstallDialog
          kind={template.kind}
          name={template.name}
          version={version.value.version}
          target={target}
          onClose={() => setInstalling(false)}
          onInstalled={() => {
            setInstalling(false);
            pick('ref');
          }}
        />
      )}
    </Box>
  );
}

/**
 * The template store's Tasks matching the picker's search, when the app has
 * the store: choosing one adds a `taskRef` to it once installed in the
 * pipeline's namespace (the install dialog previews and installs it), or
 * embeds it as a `taskSpec`; its params come pre-filled from their defaults.
 */
export function StoreTaskPicker(props: {
  query: string;
  target?: StoreTarget;
  onPick: (task: Omit<PipelineTask, 'name'> & { name: string }) => void;
}) {
  const api = useApiHolder().get(templateStoreApiRef);
  const [query, setQuery] = useState(props.query);
  useDebounce(() => setQuery(props.query), 250, [props.query]);
  const [chosen, setChosen] = useState<string>();
  const found = useAsync(
    async () =>
      api?.listTemplates({ search: query.trim() || undefined, kind: 'Task' }),
    [api, query],
  );
  if (!api) return null;
  return (
    <>
      <Typography variant="subtitle2" style={{ marginTop: 16 }}>
        From the template store
      </Typography>
      {found.error && (
        <Typography variant="body2" color="error">
          The template store could not be searched: {found.error.message}
        </Typography>
      )}
      <List dense aria-label="Template store Tasks">
        {(found.value?.items ?? []).map(template => (
          <div key={template.name}>
            <ListItem
              button
              selected={chosen === template.name}
              onClick={() => setChosen(template.name)}
            >
              <ListItemText
                primary={`${template.displayName ?? template.name} (store)`}
                secondary={`${template.name} ${template.latestVersion} · ${
                  template.description ?? 'No description'
                }`}
              />
            </ListItem>
            {chosen === template.name && (
              <ChosenTemplate
                template={template}
                target={props.target}
                onPick={props.onPick}
              />
            )}
          </div>
        ))}
      </List>
      {found.value && found.value.items.length === 0 && (
        <Typography variant="body2">
          No store Task matches "{query}".
        </Typography>
      )}
    </>
  );
}
