import { ReactNode, useState } from 'react';
import {
  EmptyState,
  Link,
  ResponseErrorPanel,
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import { KUBERNETES_ID_ANNOTATION } from '@cairn/plugin-kubernetes-common';
import {
  pipelinesWebhookManagePermission,
  WebhookDeliverySummary,
} from '@cairn/plugin-pipelines-common';
import { Box, Button, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import useAsync from 'react-use/esm/useAsync';
import { webhooksApiRef } from '../../api';
import { useRunPaths } from '../EntityRefContext';
import {
  describeRef,
  OUTCOME_LABELS,
  refusalReason,
  runKubernetesIds,
} from './deliveryView';

function OutcomeView(props: { delivery: WebhookDeliverySummary }) {
  const { outcome, duplicates } = props.delivery;
  const label = OUTCOME_LABELS[outcome];
  let status;
  switch (outcome) {
    case 'runs-created':
      status = <StatusOK>{label}</StatusOK>;
      break;
    case 'pending':
      status = <StatusPending>{label}</StatusPending>;
      break;
    case 'refused':
    case 'error':
      status = <StatusError>{label}</StatusError>;
      break;
    case 'no-match':
      status = <StatusWarning>{label}</StatusWarning>;
      break;
    default:
      status = <StatusAborted>{label}</StatusAborted>;
  }
  return (
    <>
      {status}
      {duplicates > 0 && (
        <Typography variant="caption" display="block">
          sent again {duplicates}× (no new runs)
        </Typography>
      )}
    </>
  );
}

/** The entity of each kubernetes-id the runs carry, to link the runs on the Pipelines page. */
function useRunEntities(
  deliveries: WebhookDeliverySummary[] | undefined,
  entityScoped: boolean,
) {
  const catalogApi = useApi(catalogApiRef);
  const ids = deliveries && !entityScoped ? runKubernetesIds(deliveries) : [];
  return useAsync(async () => {
    if (ids.length === 0) return new Map<string, string>();
    const { items } = await catalogApi.getEntities({
      filter: { [`metadata.annotations.${KUBERNETES_ID_ANNOTATION}`]: ids },
      fields: [
        'kind',
        'metadata.name',
        'metadata.namespace',
        'metadata.annotations',
      ],
    });
    return new Map(
      items.map(e => [
        e.metadata.annotations?.[KUBERNETES_ID_ANNOTATION] ?? '',
        stringifyEntityRef(e),
      ]),
    );
  }, [catalogApi, ids.join(',')]).value;
}

/**
 * The webhook delivery log: every delivery the user may see (ops: all;
 * owners: those that met their entities' Pipelines), or one entity's, with
 * what came of each, and Redeliver for ops.
 */
export function WebhookDeliveriesTable(props: {
  entityRef?: string;
  /** The list, loaded by the caller (shared with the setup panel). */
  deliveries: {
    loading: boolean;
    error?: Error;
    value?: WebhookDeliverySummary[];
    retry: () => void;
  };
}) {
  const { entityRef, deliveries } = props;
  const api = useApi(webhooksApiRef);
  const paths = useRunPaths();
  const { allowed: canRedeliver } = usePermission({
    permission: pipelinesWebhookManagePermission,
  });
  const runEntities = useRunEntities(deliveries.value, Boolean(entityRef));
  const [redelivering, setRedelivering] = useState<string>();
  const [result, setResult] = useState<
    { severity: 'success' | 'error'; text: string } | undefined
  >();

  const redeliver = async (delivery: WebhookDeliverySummary) => {
    setRedelivering(delivery.id);
    setResult(undefined);
    try {
      const again = await api.redeliver(delivery.id);
      setResult({
        severity: 'success',
        text: `Redelivered ${delivery.deliveryId} as ${
          again.deliveryId
        }: ${OUTCOME_LABELS[again.outcome].toLowerCase()}${
          again.runs.length
            ? `, ${again.runs.filter(r => !r.error).length} run(s)`
            : ''
        }`,
      });
      deliveries.retry();
    } catch (error) {
      setResult({ severity: 'error', text: (error as Error).message });
    } finally {
      setRedelivering(undefined);
    }
  };

  if (deliveries.error) return <ResponseErrorPanel error={deliveries.error} />;

  const columns: TableColumn<WebhookDeliverySummary>[] = [
    {
      title: 'Received',
      field: 'receivedAt',
      render: d => new Date(d.receivedAt).toLocaleString(),
    },
    {
      title: 'Event',
      render: d => (
        <>
          <Typography variant="body2">
            {d.provider} {d.event ?? ''}
          </Typography>
          <Typography variant="caption" color="textSecondary">
            {d.deliveryId}
            {d.redeliveryOf ? ' (redelivery)' : ''}
          </Typography>
        </>
      ),
    },
    {
      title: 'Repository',
      render: d =>
        d.repository ? (
          <>
            <Link to={d.repository}>{d.repository}</Link>
            {d.ref && (
              <Typography variant="caption" display="block">
                {describeRef(d.ref)}
              </Typography>
            )}
          </>
        ) : (
          '—'
        ),
    },
    { title: 'Outcome', render: d => <OutcomeView delivery={d} /> },
    {
      title: 'Pipelines',
      render: d =>
        d.matches.length === 0 ? (
          '—'
        ) : (
          <Box component="ul" m={0} pl={2}>
            {d.matches.map(m => (
              <li key={`${m.cluster}/${m.namespace}/${m.pipeline}`}>
                {m.pipeline}: {m.matched ? 'matched' : m.reason}
              </li>
            ))}
          </Box>
        ),
    },
    {
      title: 'Runs',
      render: d =>
        d.runs.length === 0 ? (
          '—'
        ) : (
          <Box component="ul" m={0} pl={2}>
            {d.runs.map(r => {
              const runEntity =
                entityRef ??
                (r.kubernetesId ? runEntities?.get(r.kubernetesId) : undefined);
              let run: ReactNode = r.name;
              if (r.error) run = `${r.pipeline}: ${r.error}`;
              else if (runEntity) {
                run = <Link to={paths.run(r, runEntity)}>{r.name}</Link>;
              }
              return (
                <li key={`${r.cluster}/${r.namespace}/${r.name || r.pipeline}`}>
                  {run}
                </li>
              );
            })}
          </Box>
        ),
    },
    {
      title: 'Reason',
      render: d => refusalReason(d) ?? '',
    },
  ];
  if (canRedeliver) {
    columns.push({
      title: 'Actions',
      render: d => (
        <Button
          size="small"
          variant="outlined"
          disabled={redelivering !== undefined}
          onClick={() => redeliver(d)}
          aria-label={`Redeliver ${d.deliveryId}`}
        >
          {redelivering === d.id ? 'Redelivering…' : 'Redeliver'}
        </Button>
      ),
    });
  }

  return (
    <>
      {result && (
        <Box mb={2}>
          <Alert
            severity={result.severity}
            onClose={() => setResult(undefined)}
          >
            {result.text}
          </Alert>
        </Box>
      )}
      <Table<WebhookDeliverySummary>
        title="Webhook deliveries"
        isLoading={deliveries.loading && !deliveries.value}
        options={{
          paging: true,
          pageSize: 20,
          search: false,
          padding: 'dense',
        }}
        columns={columns}
        data={deliveries.value ?? []}
        emptyContent={
          <EmptyState
            missing="data"
            title="No webhook deliveries yet"
            description={
              entityRef
                ? 'No delivery met a Pipeline of this entity. Set up the webhook as the panel above says, and push.'
                : 'No Git server has sent a delivery you may see. Set up the webhook as the panel above says, and push.'
            }
          />
        }
      />
    </>
  );
}
