import { useEffect, useMemo, useState } from 'react';
import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  MenuItem,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert, Autocomplete } from '@material-ui/lab';
import { Link } from '@backstage/core-components';
import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  TemplateKind,
  TemplateVersionDetail,
} from '@cairn/plugin-template-store-common';
import {
  latestVersion,
  newVersionError,
  nextPatchVersion,
  parseTemplateYaml,
  withNameAndDescription,
} from '@cairn/plugin-template-store-common';
import useAsync from 'react-use/esm/useAsync';
import useDebounce from 'react-use/esm/useDebounce';
import { templateStoreApiRef } from '../api';

/** @public */
export interface PublishDialogProps {
  /**
   * The YAML to publish, when the caller has it (the pipeline builder's
   * Pipeline): the dialog then asks for the template's name and description
   * and writes them into it. Without it the user pastes YAML or takes it
   * from a Task or Pipeline in a cluster.
   */
  yaml?: string;
  /**
   * Called once published. Without it the dialog stays open and links to
   * the template's page.
   */
  onPublished?: (published: TemplateVersionDetail) => void;
  /**
   * Where the app mounts the store's page, for that link (the caller's route
   * ref to the store, as the app bound it); without it there is no link.
   */
  storePath?: string;
  onClose: () => void;
}

/** What the server said, without the client's "Request failed with …" prefix. */
function serverMessage(e: unknown): string {
  if (e instanceof ResponseError && e.body?.error?.message) {
    return e.body.error.message;
  }
  return (e as Error).message;
}

/**
 * Publishes YAML as a new version of a template under a group: a new
 * template, or a new version of one the group owns. The owner is one of the
 * user's groups (ops may name any group); the version suggested is the patch
 * release after the latest. The server checks the permission and that the
 * version is above the latest, and its refusal is shown here.
 * @public
 */
export function PublishDialog(props: PublishDialogProps) {
  const { onClose, onPublished, storePath } = props;
  const api = useApi(templateStoreApiRef);
  const identityApi = useApi(identityApiRef);
  const given = props.yaml;
  const givenDocs = useMemo(() => {
    if (given === undefined) return undefined;
    const parsed = parseTemplateYaml(given);
    return parsed.ok ? parsed.docs : undefined;
  }, [given]);
  const [name, setName] = useState(givenDocs?.name ?? '');
  const [description, setDescription] = useState(givenDocs?.description ?? '');
  const [pasted, setPasted] = useState('');
  const [owner, setOwner] = useState('');
  const [ownerTouched, setOwnerTouched] = useState(false);
  const [version, setVersion] = useState('');
  // Once the user types a version, suggestions no longer replace it.
  const [versionTouched, setVersionTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  // Shown in the dialog, which stays open so the input can be fixed.
  const [error, setError] = useState<string>();
  const [published, setPublished] = useState<TemplateVersionDetail>();
  const [source, setSource] = useState({
    entityRef: '',
    cluster: 'dev',
    namespace: '',
    kind: 'Task' as 'Task' | 'Pipeline',
    name: '',
  });

  const yaml =
    given === undefined
      ? pasted
      : withNameAndDescription(given, name.trim(), description.trim());
  // The template the YAML is a version of, to suggest a version from.
  const [template, setTemplate] = useState<{
    kind: TemplateKind;
    name: string;
  }>();
  useDebounce(
    () => {
      const parsed = yaml ? parseTemplateYaml(yaml) : undefined;
      setTemplate(
        parsed?.ok
          ? { kind: parsed.docs.kind, name: parsed.docs.name }
          : undefined,
      );
    },
    300,
    [yaml],
  );
  const existing = useAsync(async () => {
    if (!template) return undefined;
    try {
      return await api.getTemplate(template.kind, template.name);
    } catch (e) {
      // A new template: no versions yet.
      if (e instanceof ResponseError && e.statusCode === 404) return null;
      throw e;
    }
  }, [api, template?.kind, template?.name]);
  const existingVersions = useMemo(
    () => existing.value?.versions.map(v => v.version) ?? [],
    [existing.value],
  );
  useEffect(() => {
    if (!versionTouched && existing.value !== undefined) {
      setVersion(nextPatchVersion(existingVersions));
    }
  }, [existing.value, existingVersions, versionTouched]);

  const groups = useAsync(async () => {
    const { ownershipEntityRefs } = await identityApi.getBackstageIdentity();
    return ownershipEntityRefs.filter(ref => ref.startsWith('group:'));
  }, [identityApi]);
  useEffect(() => {
    // An existing template's owner if the user is in it, else their first group.
    if (ownerTouched) return;
    const mine = groups.value ?? [];
    const theirs = existing.value?.owner;
    setOwner(theirs && mine.includes(theirs) ? theirs : mine[0] ?? '');
  }, [groups.value, existing.value, ownerTouched]);

  const latest = latestVersion(existingVersions);
  const versionProblem = version
    ? newVersionError(version, existingVersions)
    : undefined;

  const loadFromCluster = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const { entityRef, ...where } = source;
      setPasted((await api.clusterTemplate(entityRef, where)).yaml);
    } catch (e) {
      setError(serverMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const sourceField = (
    key: 'entityRef' | 'cluster' | 'namespace' | 'name',
    label: string,
  ) => (
    <TextField
      id={`publish-source-${key}`}
      label={label}
      margin="dense"
      value={source[key]}
      onChange={e => setSource({ ...source, [key]: e.target.value })}
    />
  );
  const publish = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const result = await api.publish({ owner, version, yaml });
      if (onPublished) onPublished(result);
      else setPublished(result);
    } catch (e) {
      setError(serverMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      onClose={onClose}
      fullWidth
      maxWidth="md"
      aria-labelledby="publish-dialog-title"
    >
      <DialogTitle id="publish-dialog-title">
        {givenDocs
          ? `Save ${givenDocs.kind} to the template store`
          : 'Publish a Task, Pipeline or StepAction'}
      </DialogTitle>
      <DialogContent>
        {error && <Alert severity="error">{error}</Alert>}
        {published && (
          <Alert severity="success">
            Published {published.kind} {published.name} {published.version}
            {storePath !== undefined && (
              <>
                :{' '}
                <Link to={`${storePath}/${published.kind}/${published.name}`}>
                  open its page in the template store
                </Link>
              </>
            )}
          </Alert>
        )}
        {given !== undefined && !givenDocs && (
          <Alert severity="warning">
            The YAML is not a valid template yet; fix its problems first.
          </Alert>
        )}
        {given !== undefined && (
          <>
            <TextField
              id="publish-name"
              label="Template name"
              fullWidth
              margin="dense"
              value={name}
              onChange={e => setName(e.target.value)}
            />
            <TextField
              id="publish-description"
              label="Description"
              fullWidth
              multiline
              margin="dense"
              value={description}
              onChange={e => setDescription(e.target.value)}
            />
          </>
        )}
        <Autocomplete
          freeSolo
          options={groups.value ?? []}
          value={owner}
          onInputChange={(_, value, reason) => {
            if (reason === 'reset' && value === owner) return;
            setOwnerTouched(true);
            setOwner(value);
          }}
          renderInput={params => (
            <TextField
              {...params}
              id="publish-owner"
              label="Owner group"
              placeholder="group:default/team-payments"
              helperText="One of your groups (ops may publish for any group)"
              fullWidth
              margin="dense"
            />
          )}
        />
        <TextField
          id="publish-version"
          label="Version"
          error={Boolean(versionProblem)}
          helperText={
            versionProblem ??
            (latest
              ? `Latest: ${latest}; a new version must be above it`
              : 'A new template; e.g. 0.1.0')
          }
          margin="dense"
          value={version}
          onChange={e => {
            setVersionTouched(true);
            setVersion(e.target.value);
          }}
        />
        {given === undefined && (
          <>
            <Box
              mt={2}
              display="flex"
              flexWrap="wrap"
              alignItems="flex-end"
              style={{ gap: 8 }}
            >
              <Typography variant="subtitle2" style={{ width: '100%' }}>
                From a cluster (optional): a Task or Pipeline of an entity's
                namespace
              </Typography>
              {sourceField('entityRef', 'Entity')}
              {sourceField('cluster', 'Cluster')}
              {sourceField('namespace', 'Namespace')}
              <TextField
                select
                id="publish-source-kind"
                label="Kind"
                margin="dense"
                value={source.kind}
                onChange={e =>
                  setSource({
                    ...source,
                    kind: e.target.value as 'Task' | 'Pipeline',
                  })
                }
              >
                <MenuItem value="Task">Task</MenuItem>
                <MenuItem value="Pipeline">Pipeline</MenuItem>
              </TextField>
              {sourceField('name', 'Name')}
              <Button
                variant="outlined"
                disabled={
                  busy ||
                  !source.entityRef ||
                  !source.cluster ||
                  !source.namespace ||
                  !source.name
                }
                onClick={loadFromCluster}
              >
                Take its YAML
              </Button>
            </Box>
            <TextField
              id="publish-yaml"
              label="YAML"
              fullWidth
              multiline
              minRows={12}
              margin="dense"
              variant="outlined"
              value={pasted}
              onChange={e => setPasted(e.target.value)}
              inputProps={{ style: { fontFamily: 'monospace' } }}
            />
          </>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{published ? 'Close' : 'Cancel'}</Button>
        {!published && (
          <Button
            color="primary"
            variant="contained"
            disabled={
              busy ||
              !owner ||
              !version ||
              Boolean(versionProblem) ||
              !yaml ||
              (given !== undefined && (!givenDocs || !name.trim()))
            }
            onClick={publish}
          >
            Publish
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}
