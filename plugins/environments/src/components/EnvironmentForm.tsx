import { useMemo, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  Box,
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  Grid,
  IconButton,
  MenuItem,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import DeleteIcon from '@material-ui/icons/Delete';
import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { TENANT_ROLES } from '@cairn/operators-api';
import {
  createEnvironmentBodySchema,
  EnvironmentSummary,
  placedNodes,
  togglePlacement,
} from '@cairn/plugin-environments-common';
import { describeIssues } from '@cairn/request-schemas';
import { environmentsApiRef } from '../api';
import {
  draftOf,
  emptyDraft,
  EnvironmentDraft,
  LIMIT_FIELDS,
  LIMIT_RESOURCES,
  requestOf,
} from './draft';
import { describePlacement } from './format';
import { TopologyDrawing } from './TopologyDrawing';

export interface EnvironmentFormProps {
  /** The clusters to create in; the first is preselected. */
  clusters: string[];
  /** The environment to edit; absent: a new one. */
  environment?: EnvironmentSummary;
  onClose: () => void;
  onSaved: (environment: EnvironmentSummary) => void;
}

const LIMIT_LABELS: Record<(typeof LIMIT_FIELDS)[number], string> = {
  default: 'Default limit',
  defaultRequest: 'Default request',
  max: 'Max',
};

/**
 * Create or edit an environment: name and namespace, owner and tenants,
 * placement picked on the cluster's topology drawing, the StorageClasses it
 * may use, quota and container limits. The request is checked with the
 * API's own schema before it is sent (names and quantities as Kubernetes
 * checks them); the server checks it again and has the last word.
 */
export function EnvironmentForm(props: EnvironmentFormProps) {
  const api = useApi(environmentsApiRef);
  const editing = props.environment;
  const [cluster, setCluster] = useState(
    editing?.cluster ?? props.clusters[0] ?? '',
  );
  const [draft, setDraft] = useState<EnvironmentDraft>(() =>
    editing ? draftOf(editing) : emptyDraft(),
  );
  const [issues, setIssues] = useState<string[]>([]);
  const [serverError, setServerError] = useState<string>();
  const [saving, setSaving] = useState(false);
  const topology = useAsync(
    () => (cluster ? api.getTopology(cluster) : Promise.resolve(undefined)),
    [api, cluster],
  );
  const update = (change: Partial<EnvironmentDraft>) =>
    setDraft(current => ({ ...current, ...change }));
  const preview = useMemo(
    () =>
      topology.value
        ? new Set(
            placedNodes(
              topology.value.nodes,
              draft.placement,
              topology.value.labels,
            ),
          )
        : new Set<string>(),
    [topology.value, draft.placement],
  );

  const save = async () => {
    const request = requestOf(draft);
    const parsed = createEnvironmentBodySchema.safeParse(request);
    if (!parsed.success) {
      setIssues(describeIssues(parsed.error));
      return;
    }
    setIssues([]);
    setServerError(undefined);
    setSaving(true);
    try {
      const saved = editing
        ? await api.updateEnvironment(editing, {
            resourceVersion: editing.resourceVersion,
            spec: request.spec,
          })
        : await api.createEnvironment(cluster, request);
      props.onSaved(saved);
    } catch (error) {
      setServerError((error as Error).message);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Dialog open onClose={props.onClose} maxWidth="lg" fullWidth>
      <DialogTitle>
        {editing ? `Edit environment ${editing.name}` : 'Create environment'}
      </DialogTitle>
      <DialogContent>
        <Grid container spacing={2}>
          <Grid item xs={12} sm={3}>
            <TextField
              select
              fullWidth
              id="environment-cluster"
              label="Cluster"
              value={cluster}
              disabled={Boolean(editing)}
              onChange={e => setCluster(e.target.value as string)}
            >
              {props.clusters.map(c => (
                <MenuItem key={c} value={c}>
                  {c}
                </MenuItem>
              ))}
            </TextField>
          </Grid>
          <Grid item xs={12} sm={3}>
            <TextField
              fullWidth
              id="environment-name"
              label="Name"
              value={draft.name}
              disabled={Boolean(editing)}
              onChange={e => update({ name: e.target.value })}
              helperText="Lowercase letters, digits and '-'"
            />
          </Grid>
          <Grid item xs={12} sm={3}>
            <TextField
              fullWidth
              id="environment-namespace"
              label="Namespace"
              value={draft.namespace}
              disabled={Boolean(editing)}
              onChange={e => update({ namespace: e.target.value })}
            />
          </Grid>
          <Grid item xs={12} sm={3}>
            <TextField
              fullWidth
              id="environment-owner"
              label="Owner group"
              placeholder="group:default/team-storefront"
              value={draft.owner}
              onChange={e => update({ owner: e.target.value })}
            />
          </Grid>

          <Grid item xs={12}>
            <Typography variant="h6">Placement</Typography>
            <Typography variant="body2" color="textSecondary">
              Click a zone, a rack or a node to bind it; the environment's pods
              run only on the green nodes ({preview.size}:{' '}
              {describePlacement(draft.placement)}).
            </Typography>
            {topology.loading && <Progress />}
            {topology.error && (
              <Alert severity="error">{topology.error.message}</Alert>
            )}
            {topology.value && (
              <Box mt={1}>
                <TopologyDrawing
                  nodes={topology.value.nodes}
                  placed={preview}
                  mode={{
                    kind: 'placement',
                    placement: draft.placement,
                    onToggle: (level, value) =>
                      update({
                        placement: togglePlacement(
                          draft.placement,
                          level,
                          value,
                        ),
                      }),
                  }}
                />
              </Box>
            )}
          </Grid>

          <Grid item xs={12} md={6}>
            <Typography variant="h6">Tenants</Typography>
            {draft.tenants.map((tenant, i) => (
              <Box key={i} display="flex" gridGap={8} alignItems="center">
                <TextField
                  id={`tenant-group-${i}`}
                  label="Group"
                  value={tenant.group}
                  placeholder="group:default/team-x"
                  onChange={e =>
                    update({
                      tenants: draft.tenants.map((t, j) =>
                        j === i ? { ...t, group: e.target.value } : t,
                      ),
                    })
                  }
                />
                <TextField
                  select
                  id={`tenant-role-${i}`}
                  label="Role"
                  value={tenant.role}
                  onChange={e =>
                    update({
                      tenants: draft.tenants.map((t, j) =>
                        j === i
                          ? { ...t, role: e.target.value as typeof t.role }
                          : t,
                      ),
                    })
                  }
                >
                  {TENANT_ROLES.map(role => (
                    <MenuItem key={role} value={role}>
                      {role}
                    </MenuItem>
                  ))}
                </TextField>
                <IconButton
                  aria-label={`remove tenant ${i + 1}`}
                  onClick={() =>
                    update({ tenants: draft.tenants.filter((_, j) => j !== i) })
                  }
                >
                  <DeleteIcon />
                </IconButton>
              </Box>
            ))}
            <Button
              onClick={() =>
                update({
                  tenants: [...draft.tenants, { group: '', role: 'edit' }],
                })
              }
            >
              Add tenant
            </Button>

            <Box mt={2}>
              <Typography variant="h6">Storage classes</Typography>
              <FormControlLabel
                control={
                  <Checkbox
                    checked={draft.allStorageClasses}
                    onChange={e =>
                      update({ allStorageClasses: e.target.checked })
                    }
                  />
                }
                label="Any storage class"
              />
              {!draft.allStorageClasses &&
                (topology.value?.storageClasses ?? []).map(name => (
                  <FormControlLabel
                    key={name}
                    control={
                      <Checkbox
                        checked={draft.storageClasses.includes(name)}
                        onChange={e =>
                          update({
                            storageClasses: e.target.checked
                              ? [...draft.storageClasses, name].sort()
                              : draft.storageClasses.filter(c => c !== name),
                          })
                        }
                      />
                    }
                    label={name}
                  />
                ))}
            </Box>
            <Box mt={2}>
              <TextField
                select
                id="environment-deletion-policy"
                label="When the environment is deleted"
                value={draft.deletionPolicy}
                onChange={e =>
                  update({
                    deletionPolicy: e.target.value as 'Orphan' | 'Delete',
                  })
                }
              >
                <MenuItem value="Orphan">keep the namespace (Orphan)</MenuItem>
                <MenuItem value="Delete">delete the namespace</MenuItem>
              </TextField>
            </Box>
          </Grid>

          <Grid item xs={12} md={6}>
            <Typography variant="h6">Quota</Typography>
            {draft.quota.map((row, i) => (
              <Box key={i} display="flex" gridGap={8} alignItems="center">
                <TextField
                  id={`quota-resource-${i}`}
                  label="Resource"
                  value={row.resource}
                  onChange={e =>
                    update({
                      quota: draft.quota.map((r, j) =>
                        j === i ? { ...r, resource: e.target.value } : r,
                      ),
                    })
                  }
                />
                <TextField
                  id={`quota-value-${i}`}
                  label={`Quota ${row.resource}`}
                  placeholder="e.g. 4, 500m, 100Gi"
                  value={row.value}
                  onChange={e =>
                    update({
                      quota: draft.quota.map((r, j) =>
                        j === i ? { ...r, value: e.target.value } : r,
                      ),
                    })
                  }
                />
              </Box>
            ))}
            <Button
              onClick={() =>
                update({
                  quota: [...draft.quota, { resource: '', value: '' }],
                })
              }
            >
              Add resource
            </Button>
            <Box mt={2}>
              <Typography variant="h6">Container limits</Typography>
              {LIMIT_FIELDS.map(field => (
                <Box key={field} display="flex" gridGap={8}>
                  {LIMIT_RESOURCES.map(resource => (
                    <TextField
                      key={resource}
                      id={`limit-${field}-${resource}`}
                      label={`${LIMIT_LABELS[field]} ${resource}`}
                      value={draft.limits[field][resource] ?? ''}
                      onChange={e =>
                        update({
                          limits: {
                            ...draft.limits,
                            [field]: {
                              ...draft.limits[field],
                              [resource]: e.target.value,
                            },
                          },
                        })
                      }
                    />
                  ))}
                </Box>
              ))}
            </Box>
          </Grid>
          {(issues.length > 0 || serverError) && (
            <Grid item xs={12}>
              <Alert severity="error" role="alert">
                {serverError}
                {issues.map(issue => (
                  <div key={issue}>{issue}</div>
                ))}
              </Alert>
            </Grid>
          )}
        </Grid>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          onClick={save}
          disabled={saving || !cluster}
        >
          {editing ? 'Save' : 'Create'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
