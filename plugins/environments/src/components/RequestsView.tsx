import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  Box,
  Button,
  Chip,
  FormControlLabel,
  Paper,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  EnvironmentRequestView,
  QuotaChange,
  quotaChanges,
} from '@cairn/plugin-environments-common';
import { environmentsApiRef } from '../api';
import { describePlacement } from './format';

/** The quota a request asks for against the quota now, resource by resource. */
export function QuotaDiff(props: { changes: QuotaChange[] }) {
  return (
    <Table size="small" aria-label="quota change">
      <TableHead>
        <TableRow>
          <TableCell>Resource</TableCell>
          <TableCell>Now</TableCell>
          <TableCell>Asked</TableCell>
          <TableCell />
        </TableRow>
      </TableHead>
      <TableBody>
        {props.changes.map(c => (
          <TableRow key={c.resource}>
            <TableCell>{c.resource}</TableCell>
            <TableCell>{c.from ?? 'no limit'}</TableCell>
            <TableCell>
              <strong>{c.to}</strong>
            </TableCell>
            <TableCell>{c.change}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/**
 * Requests for environments and quota: ops see every request and approve
 * or reject a pending one in a click (with an optional comment); others
 * see their groups' requests and what became of them. The request a
 * notification links to is shown first.
 */
export function RequestsView(props: {
  selected?: string;
  /** Called when a decision changed an environment. */
  onDecided?: () => void;
}) {
  const api = useApi(environmentsApiRef);
  const [all, setAll] = useState(false);
  const requests = useAsyncRetry(
    () => api.listRequests(all ? {} : { state: 'pending' }),
    [api, all],
  );
  // The linked request, also when it is decided already.
  const linked = useAsyncRetry(
    async () => (props.selected ? api.getRequest(props.selected) : undefined),
    [api, props.selected],
  );

  if (requests.loading && !requests.value) return <Progress />;
  if (requests.error) return <ResponseErrorPanel error={requests.error} />;
  const { items, canDecide } = requests.value!;
  const shown = [
    ...(linked.value && !items.some(r => r.id === linked.value!.id)
      ? [linked.value]
      : []),
    ...items,
  ].sort(
    (a, b) => Number(b.id === props.selected) - Number(a.id === props.selected),
  );
  const reload = () => {
    requests.retry();
    linked.retry();
  };

  return (
    <Box>
      <FormControlLabel
        control={
          <Switch checked={all} onChange={(_, checked) => setAll(checked)} />
        }
        label="Show decided requests too"
      />
      {linked.error && (
        <Alert severity="warning">
          The linked request could not be shown: {linked.error.message}
        </Alert>
      )}
      {shown.length === 0 ? (
        <EmptyState
          missing="data"
          title="No requests"
          description={
            canDecide
              ? 'No team is waiting for an environment or more quota.'
              : 'Your groups have no pending request. Ask for an environment or more quota on your group’s page.'
          }
        />
      ) : (
        shown.map(request => (
          <RequestCard
            key={request.id}
            request={request}
            highlighted={request.id === props.selected}
            canDecide={canDecide}
            onDecided={() => {
              reload();
              props.onDecided?.();
            }}
          />
        ))
      )}
    </Box>
  );
}

function RequestCard(props: {
  request: EnvironmentRequestView;
  highlighted: boolean;
  canDecide: boolean;
  onDecided: () => void;
}) {
  const { request: r } = props;
  const api = useApi(environmentsApiRef);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const decide = async (approve: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      const decision = comment.trim() ? { comment: comment.trim() } : {};
      await (approve
        ? api.approveRequest(r.id, decision)
        : api.rejectRequest(r.id, decision));
      props.onDecided();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const what =
    r.kind === 'environment'
      ? `New environment ${r.environment} (namespace ${r.namespace})`
      : `More quota for ${r.environment}`;
  return (
    <Box mb={2}>
      <Paper
        variant="outlined"
        style={props.highlighted ? { borderWidth: 2 } : undefined}
      >
        <Box p={2} component="section" aria-label={`request ${r.id}`}>
          <Box display="flex" alignItems="center" gridGap={8}>
            <Typography variant="h6">{what}</Typography>
            <Chip size="small" label={r.state} />
            <Typography variant="body2" color="textSecondary">
              cluster {r.cluster}, for {r.group}, asked by {r.requestedBy} on{' '}
              {new Date(r.requestedAt).toLocaleString()}
            </Typography>
          </Box>
          <Typography variant="body2">Reason: {r.reason}</Typography>
          {r.quota && (
            <QuotaDiff changes={quotaChanges(r.currentQuota, r.quota)} />
          )}
          {r.spec && (
            <Typography variant="body2">
              Placement {describePlacement(r.spec.placement)}; storage classes{' '}
              {r.spec.storageClasses
                ? r.spec.storageClasses.join(', ') || 'none'
                : 'as ops decide'}
              ; quota{' '}
              {Object.entries(r.spec.quota ?? {})
                .map(([k, v]) => `${k} ${v}`)
                .join(', ') || 'none'}
            </Typography>
          )}
          {r.error && r.state === 'pending' && (
            <Alert severity="error">{r.error}</Alert>
          )}
          {r.state !== 'pending' && (
            <Typography variant="body2">
              {r.state === 'approved' ? 'Approved' : 'Rejected'} by{' '}
              {r.decidedBy}
              {r.decidedAt && ` on ${new Date(r.decidedAt).toLocaleString()}`}
              {r.comment && `: ${r.comment}`}
            </Typography>
          )}
          {props.canDecide && r.state === 'pending' && (
            <Box display="flex" alignItems="center" gridGap={8} mt={1}>
              <TextField
                id="decision-comment"
                size="small"
                label="Comment"
                value={comment}
                onChange={e => setComment(e.target.value)}
              />
              <Button
                variant="contained"
                color="primary"
                disabled={busy}
                onClick={() => decide(true)}
              >
                Approve
              </Button>
              <Button
                variant="outlined"
                disabled={busy}
                onClick={() => decide(false)}
              >
                Reject
              </Button>
            </Box>
          )}
          {error && <Alert severity="error">{error}</Alert>}
        </Box>
      </Paper>
    </Box>
  );
}
