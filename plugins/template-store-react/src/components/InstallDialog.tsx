import { useEffect, useState } from 'react';
import {
  Button,
  CircularProgress,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  MenuItem,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert, Autocomplete } from '@material-ui/lab';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import type {
  InstallResult,
  TemplateKind,
} from '@cairn/plugin-template-store-common';
import { templateKey } from '@cairn/plugin-template-store-common';
import useAsync from 'react-use/esm/useAsync';
import { templateStoreApiRef } from '../api';

/** Where an install goes: a namespace of a catalog entity on a cluster. */
export interface InstallTarget {
  entityRef: string;
  cluster: string;
  namespace: string;
}

/** @public */
export interface InstallDialogProps {
  kind: TemplateKind;
  name: string;
  version: string;
  /**
   * Where to install, when the caller knows it (the pipeline builder: its
   * entity, cluster and namespace). Without it the user picks an entity
   * and one of its clusters and namespaces.
   */
  target?: InstallTarget;
  /** Called once installed (or found already there, the same). */
  onInstalled?: (result: InstallResult) => void;
  onClose: () => void;
}

const isComplete = (t: Partial<InstallTarget>): t is InstallTarget =>
  Boolean(t.entityRef && t.cluster && t.namespace);

/** What a preview found, in words. */
function describePreview(result: InstallResult): string {
  const what = `${result.kind} ${result.name}`;
  const where = `namespace ${result.namespace} on cluster ${result.cluster}`;
  const existing = result.existing;
  if (!existing)
    return `${what} ${result.version} will be created in ${where}.`;
  const from = existing.installedFrom
    ? `installed from ${templateKey(existing.installedFrom)} ${
        existing.installedFrom.version
      }`
    : 'not installed from the store';
  return existing.differs
    ? `${what} is already in ${where} (${from}) and differs from ${result.version}; installing replaces it:`
    : `${what} is already in ${where} (${from}), the same as ${result.version}; nothing to change.`;
}

/**
 * Installs a template version into a namespace of a catalog entity: pick
 * the target, preview what is there (the cluster's dry run, with a diff
 * when the object there differs), then install or confirm replacing it.
 * @public
 */
export function InstallDialog(props: InstallDialogProps) {
  const { kind, name, version, onClose, onInstalled } = props;
  const api = useApi(templateStoreApiRef);
  const catalogApi = useApi(catalogApiRef);
  const [target, setTarget] = useState<Partial<InstallTarget>>(
    props.target ?? {},
  );
  const [preview, setPreview] = useState<InstallResult>();
  const [installed, setInstalled] = useState<InstallResult>();
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);

  // The entities whose namespaces an install can go to.
  const entities = useAsync(async () => {
    if (props.target) return [];
    const { items } = await catalogApi.getEntities({
      filter: {
        'metadata.annotations.backstage.io/kubernetes-id':
          CATALOG_FILTER_EXISTS,
      },
      fields: ['kind', 'metadata.name', 'metadata.namespace', 'metadata.title'],
    });
    return items.map(e => stringifyEntityRef(e)).sort();
  }, [props.target]);

  const targets = useAsync(async () => {
    if (props.target || !target.entityRef) return undefined;
    return api.installTargets(target.entityRef);
  }, [target.entityRef]);
  useEffect(() => {
    const found = targets.value;
    if (!found) return;
    setTarget(t => ({
      ...t,
      cluster: found.clusters.includes(t.cluster ?? '')
        ? t.cluster
        : found.clusters[0],
      namespace: found.namespace ?? t.namespace,
    }));
  }, [targets.value]);

  // A changed target needs a new preview.
  useEffect(() => {
    setPreview(undefined);
    setError(undefined);
  }, [target.entityRef, target.cluster, target.namespace]);

  const run = async (dryRun: boolean) => {
    if (!isComplete(target)) return;
    setBusy(true);
    setError(undefined);
    try {
      const result = await api.install(kind, name, version, {
        ...target,
        dryRun,
        ...(!dryRun && preview?.existing?.differs
          ? { replace: preview.existing.resourceVersion }
          : {}),
      });
      if (dryRun) setPreview(result);
      else {
        setInstalled(result);
        onInstalled?.(result);
      }
    } catch (e) {
      setError(e as Error);
      // A conflict means the cluster changed: preview again.
      setPreview(undefined);
    } finally {
      setBusy(false);
    }
  };

  // With a known target, the preview comes at once.
  useEffect(() => {
    if (props.target) run(true);
    // Once, for the target the dialog opened with.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const same = preview?.existing && !preview.existing.differs;
  return (
    <Dialog
      open
      onClose={onClose}
      fullWidth
      maxWidth="md"
      aria-labelledby="install-dialog-title"
    >
      <DialogTitle id="install-dialog-title">
        Install {kind} {name} {version}
      </DialogTitle>
      <DialogContent>
        {!props.target && (
          <>
            <Autocomplete
              options={entities.value ?? []}
              loading={entities.loading}
              value={target.entityRef ?? null}
              onChange={(_, value) =>
                setTarget({ entityRef: value ?? undefined })
              }
              renderInput={params => (
                <TextField
                  {...params}
                  id="install-entity"
                  label="For entity"
                  helperText="Installs go to a namespace of a catalog entity you own"
                  margin="dense"
                />
              )}
            />
            {targets.error && (
              <Alert severity="error">{targets.error.message}</Alert>
            )}
            <TextField
              select
              id="install-cluster"
              fullWidth
              label="Cluster"
              margin="dense"
              value={target.cluster ?? ''}
              disabled={!targets.value}
              onChange={e => setTarget({ ...target, cluster: e.target.value })}
            >
              {(targets.value?.clusters ?? []).map(c => (
                <MenuItem key={c} value={c}>
                  {c}
                </MenuItem>
              ))}
            </TextField>
            <TextField
              id="install-namespace"
              fullWidth
              label="Namespace"
              margin="dense"
              value={target.namespace ?? ''}
              disabled={!targets.value || Boolean(targets.value.namespace)}
              helperText={
                targets.value?.namespace
                  ? "The entity's namespace (its backstage.io/kubernetes-namespace)"
                  : undefined
              }
              onChange={e =>
                setTarget({ ...target, namespace: e.target.value })
              }
            />
          </>
        )}
        {props.target && (
          <Typography variant="body2" gutterBottom>
            Into namespace {props.target.namespace} on cluster{' '}
            {props.target.cluster}, for {props.target.entityRef}.
          </Typography>
        )}
        {busy && <CircularProgress size={24} />}
        {error && <Alert severity="error">{error.message}</Alert>}
        {preview && !installed && (
          <div aria-label="Install preview">
            <Typography variant="body2">{describePreview(preview)}</Typography>
            {preview.existing?.differs && (
              <pre style={{ maxHeight: 320, overflow: 'auto', fontSize: 12 }}>
                {preview.existing.diff}
              </pre>
            )}
          </div>
        )}
        {installed && (
          <Alert severity="success">
            {installed.outcome === 'unchanged'
              ? `${installed.kind} ${installed.name} ${installed.version} is installed in ${installed.namespace}.`
              : `${installed.kind} ${installed.name} ${installed.version} ${installed.outcome} in namespace ${installed.namespace} on cluster ${installed.cluster}.`}
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{installed ? 'Close' : 'Cancel'}</Button>
        {!installed && (
          <Button
            onClick={() => run(true)}
            disabled={busy || !isComplete(target)}
          >
            Preview
          </Button>
        )}
        {!installed && (
          <Button
            color="primary"
            variant="contained"
            onClick={() => run(false)}
            disabled={busy || !preview}
          >
            {(() => {
              if (same) return 'Use it';
              if (preview?.existing?.differs) return 'Replace';
              return 'Install';
            })()}
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}
