import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  MenuItem,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { Link } from '@backstage/core-components';
import {
  identityApiRef,
  useApi,
  useRouteRef,
} from '@backstage/core-plugin-api';
import {
  createEnvironmentRequestBodySchema,
  CreateEnvironmentRequestBody,
  EnvironmentRequestView,
  EnvironmentSummary,
  quotaChanges,
} from '@cairn/plugin-environments-common';
import { describeIssues } from '@cairn/request-schemas';
import { environmentsApiRef } from '../api';
import { rootRouteRef } from '../routes';
import { REQUEST_PARAM } from './links';
import { QuotaFields, quotaErrors, REQUESTABLE_QUOTA } from './QuotaFields';
import { QuotaDiff } from './RequestsView';

/*
 * Developers' requests to ops, from their group's and services' pages: a
 * new environment for the group, or more quota for one of its
 * environments. Offered to members of the owner group only (the server
 * checks again); the request goes to ops as a notification.
 */

/** The signed-in user's ownership refs, lower case (empty while loading). */
function useMyRefs(): string[] {
  const identityApi = useApi(identityApiRef);
  const { value } = useAsync(
    () => identityApi.getBackstageIdentity(),
    [identityApi],
  );
  return (value?.ownershipEntityRefs ?? []).map(ref =>
    ref.toLocaleLowerCase('en-US'),
  );
}

/** The environment request's text fields, as data; lists comma-separated. */
const ENVIRONMENT_FIELDS = [
  { key: 'name', label: 'Name' },
  { key: 'namespace', label: 'Namespace', help: 'Defaults to the name' },
  {
    key: 'zones',
    label: 'Zones',
    help: 'Placement wish: zone label values, comma-separated',
  },
  {
    key: 'racks',
    label: 'Racks',
    help: 'Or rack label values, comma-separated',
  },
  {
    key: 'storage-classes',
    label: 'Storage classes',
    help: 'Comma-separated; empty: ops decide',
  },
] as const;

type EnvironmentFieldKey = (typeof ENVIRONMENT_FIELDS)[number]['key'];

const isMember = (refs: string[], group: string) =>
  refs.includes(group.toLocaleLowerCase('en-US'));

const list = (text: string) =>
  text
    .split(',')
    .map(v => v.trim())
    .filter(Boolean);

/** "Request environment" for a group's members, opening its dialog. */
export function RequestEnvironmentButton(props: { group: string }) {
  const [open, setOpen] = useState(false);
  if (!isMember(useMyRefs(), props.group)) return null;
  return (
    <>
      <Button variant="outlined" onClick={() => setOpen(true)}>
        Request environment
      </Button>
      {open && (
        <RequestEnvironmentDialog
          group={props.group}
          onClose={() => setOpen(false)}
        />
      )}
    </>
  );
}

/** "Request more quota" for members of the environment's owner group. */
export function RequestQuotaButton(props: { environment: EnvironmentSummary }) {
  const [open, setOpen] = useState(false);
  if (!isMember(useMyRefs(), ownerRef(props.environment.spec.owner))) {
    return null;
  }
  return (
    <>
      <Button size="small" variant="outlined" onClick={() => setOpen(true)}>
        Request more quota
      </Button>
      {open && (
        <RequestQuotaDialog
          environment={props.environment}
          onClose={() => setOpen(false)}
        />
      )}
    </>
  );
}

/** `team-x` as `group:default/team-x`, as the server compares owners. */
function ownerRef(owner: string): string {
  return owner.includes(':') ? owner : `group:default/${owner}`;
}

/** Sends a request, checked first with the schema the server parses it with. */
function useSubmit(onClose: () => void) {
  const api = useApi(environmentsApiRef);
  const [error, setError] = useState<string>();
  const [errorsByQuota, setErrorsByQuota] = useState<Record<string, string>>(
    {},
  );
  const [sending, setSending] = useState(false);
  const [sent, setSent] = useState<EnvironmentRequestView>();
  const submit = async (body: CreateEnvironmentRequestBody) => {
    const parsed = createEnvironmentRequestBodySchema.safeParse(body);
    setErrorsByQuota(parsed.success ? {} : quotaErrors(parsed.error.issues));
    if (!parsed.success) {
      setError(describeIssues(parsed.error).join('; '));
      return;
    }
    setSending(true);
    setError(undefined);
    try {
      setSent(await api.createRequest(body));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setSending(false);
    }
  };
  return { submit, error, errorsByQuota, sending, sent, onClose };
}

function SentOrActions(props: {
  state: ReturnType<typeof useSubmit>;
  onSubmit: () => void;
}) {
  const { sent, sending, onClose } = props.state;
  const page = useRouteRef(rootRouteRef);
  if (sent) {
    return (
      <DialogActions>
        <Typography variant="body2">
          Sent to ops:{' '}
          <Link
            to={`${page()}?${new URLSearchParams({
              [REQUEST_PARAM]: sent.id,
            })}`}
          >
            your request
          </Link>{' '}
          is pending. You will be notified of their decision.
        </Typography>
        <Button onClick={onClose}>Close</Button>
      </DialogActions>
    );
  }
  return (
    <DialogActions>
      <Button onClick={onClose}>Cancel</Button>
      <Button
        color="primary"
        variant="contained"
        disabled={sending}
        onClick={props.onSubmit}
      >
        Send request
      </Button>
    </DialogActions>
  );
}

/** A request's reason, which the server requires: for ops to decide on. */
function ReasonField(props: {
  id: string;
  help: string;
  value: string;
  onChange: (reason: string) => void;
}) {
  return (
    <TextField
      id={props.id}
      fullWidth
      multiline
      margin="dense"
      label="Reason"
      helperText={props.help}
      value={props.value}
      onChange={e => props.onChange(e.target.value)}
    />
  );
}

function RequestEnvironmentDialog(props: {
  group: string;
  onClose: () => void;
}) {
  const api = useApi(environmentsApiRef);
  const clusters = useAsync(() => api.listClusters(), [api]);
  const state = useSubmit(props.onClose);
  const [cluster, setCluster] = useState<string>();
  const [values, setValues] = useState<Record<EnvironmentFieldKey, string>>({
    name: '',
    namespace: '',
    zones: '',
    racks: '',
    'storage-classes': '',
  });
  const [quota, setQuota] = useState<Record<string, string>>({});
  const [reason, setReason] = useState('');
  const chosenCluster = cluster ?? clusters.value?.clusters[0] ?? '';

  const onSubmit = () => {
    const { name, zones, racks } = values;
    const placement = {
      ...(list(zones).length ? { zones: list(zones) } : {}),
      ...(list(racks).length ? { racks: list(racks) } : {}),
    };
    state.submit({
      kind: 'environment',
      cluster: chosenCluster,
      name,
      spec: {
        namespace: values.namespace || name,
        owner: props.group,
        ...(Object.keys(placement).length ? { placement } : {}),
        ...(values['storage-classes'].trim()
          ? { storageClasses: list(values['storage-classes']) }
          : {}),
        quota: Object.fromEntries(
          Object.entries(quota).filter(([, v]) => v.trim()),
        ),
      },
      reason,
    });
  };

  return (
    <Dialog open onClose={props.onClose} maxWidth="sm" fullWidth>
      <DialogTitle>Request an environment for {props.group}</DialogTitle>
      <DialogContent>
        <Typography variant="body2" color="textSecondary">
          Ops get your request as a notification and create the environment when
          they approve it; your group owns it and may deploy to it.
        </Typography>
        {clusters.value && clusters.value.clusters.length > 1 && (
          <TextField
            id="request-cluster"
            select
            fullWidth
            margin="dense"
            label="Cluster"
            value={chosenCluster}
            onChange={e => setCluster(e.target.value as string)}
          >
            {clusters.value.clusters.map(c => (
              <MenuItem key={c} value={c}>
                {c}
              </MenuItem>
            ))}
          </TextField>
        )}
        {ENVIRONMENT_FIELDS.map(field => (
          <TextField
            key={field.key}
            id={`request-${field.key}`}
            fullWidth
            margin="dense"
            label={field.label}
            placeholder={field.key === 'namespace' ? values.name : undefined}
            helperText={'help' in field ? field.help : undefined}
            value={values[field.key]}
            onChange={e =>
              setValues({ ...values, [field.key]: e.target.value })
            }
          />
        ))}
        <QuotaFields
          idPrefix="request-quota"
          resources={REQUESTABLE_QUOTA.map(key => key.resource)}
          values={quota}
          onChange={setQuota}
          errors={state.errorsByQuota}
        />
        <ReasonField
          id="request-reason"
          help="What the team needs it for, for ops to decide"
          value={reason}
          onChange={setReason}
        />
        {state.error && <Alert severity="error">{state.error}</Alert>}
      </DialogContent>
      <SentOrActions state={state} onSubmit={onSubmit} />
    </Dialog>
  );
}

function RequestQuotaDialog(props: {
  environment: EnvironmentSummary;
  onClose: () => void;
}) {
  const { environment } = props;
  const current = environment.spec.quota ?? {};
  const state = useSubmit(props.onClose);
  const resources = [
    ...new Set([
      ...Object.keys(current),
      ...REQUESTABLE_QUOTA.map(key => key.resource),
    ]),
  ].filter(r => !r.includes('.storageclass.storage.k8s.io/'));
  const [quota, setQuota] = useState<Record<string, string>>({ ...current });
  const [reason, setReason] = useState('');
  // Only what changes is asked for.
  const asked = Object.fromEntries(
    Object.entries(quota).filter(
      ([resource, value]) => value.trim() && value.trim() !== current[resource],
    ),
  );

  return (
    <Dialog open onClose={props.onClose} maxWidth="sm" fullWidth>
      <DialogTitle>Request more quota for {environment.name}</DialogTitle>
      <DialogContent>
        <Typography variant="body2" color="textSecondary">
          Set the new limits; ops approve them with a click and the cluster
          enforces them at once.
        </Typography>
        <QuotaFields
          idPrefix="quota-request"
          resources={resources}
          values={quota}
          onChange={setQuota}
          current={current}
          errors={state.errorsByQuota}
        />
        {Object.keys(asked).length > 0 && (
          <QuotaDiff changes={quotaChanges(current, asked)} />
        )}
        <ReasonField
          id="quota-request-reason"
          help="Why the team needs it, for ops to decide"
          value={reason}
          onChange={setReason}
        />
        {state.error && <Alert severity="error">{state.error}</Alert>}
      </DialogContent>
      <SentOrActions
        state={state}
        onSubmit={() =>
          state.submit({
            kind: 'quota',
            cluster: environment.cluster,
            name: environment.name,
            quota: asked,
            reason,
          })
        }
      />
    </Dialog>
  );
}
