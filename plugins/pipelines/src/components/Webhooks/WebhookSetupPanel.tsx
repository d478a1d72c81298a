import {
  CopyTextButton,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  GitProvider,
  TRIGGER_ANNOTATIONS,
  WebhookDeliverySummary,
} from '@cairn/plugin-pipelines-common';
import { Box, Grid, Typography } from '@material-ui/core';
import useAsync from 'react-use/esm/useAsync';
import { pipelinesApiRef, PipelineSummary, webhooksApiRef } from '../../api';
import { OUTCOME_LABELS } from './deliveryView';
import {
  lastDeliveries,
  providerOfRepository,
  PROVIDER_SETUPS,
  ProviderSetup,
} from './providers';

function Field(props: { name: string; children: React.ReactNode }) {
  return (
    <Box mb={1}>
      <Typography variant="caption" color="textSecondary" component="div">
        {props.name}
      </Typography>
      <Typography variant="body2" component="div">
        {props.children}
      </Typography>
    </Box>
  );
}

function ProviderCard(props: {
  setup: ProviderSetup;
  url?: string;
  last?: WebhookDeliverySummary;
}) {
  const { setup, url, last } = props;
  return (
    <InfoCard title={setup.title} subheader={setup.where}>
      <Field name={setup.urlField}>
        <code style={{ wordBreak: 'break-all' }}>{url ?? '…'}</code>
        {url && (
          <CopyTextButton
            text={url}
            tooltipText="Copied"
            aria-label={`Copy the ${setup.title} webhook URL`}
          />
        )}
      </Field>
      {setup.contentType && (
        <Field name="Content type">{setup.contentType}</Field>
      )}
      <Field name={setup.secretField}>
        The value of <code>{setup.secretConfig}</code> in the portal's config
        (the shipped app-config.yaml reads <code>{setup.secretEnv}</code>);
        deliveries are checked with {setup.checkedHeader}.
      </Field>
      <Field name="Events">{setup.events.join(', ')}</Field>
      <Field name="Last delivery">
        {last
          ? `${new Date(last.receivedAt).toLocaleString()}: ${
              OUTCOME_LABELS[last.outcome]
            }${last.reason ? ` — ${last.reason}` : ''}`
          : 'none yet'}
      </Field>
    </InfoCard>
  );
}

function TriggeredPipelines(props: { pipelines: PipelineSummary[] }) {
  const triggered = props.pipelines.filter(p => p.trigger);
  if (triggered.length === 0) {
    return (
      <Typography variant="body2">
        None of this entity's Pipelines is started by webhooks yet: annotate one
        with <code>{TRIGGER_ANNOTATIONS.repository}</code> (the repository's web
        URL), and optionally <code>{TRIGGER_ANNOTATIONS.onEvent}</code>,{' '}
        <code>{TRIGGER_ANNOTATIONS.onTargetBranch}</code>,{' '}
        <code>{TRIGGER_ANNOTATIONS.onPathChange}</code>.
      </Typography>
    );
  }
  return (
    <Box component="ul" m={0} pl={2}>
      {triggered.map(p => {
        const trigger = p.trigger!;
        return (
          <li key={`${p.cluster}/${p.namespace}/${p.name}`}>
            <Typography variant="body2" component="span">
              <strong>{p.name}</strong> ({p.cluster}/{p.namespace}):{' '}
              {trigger.valid
                ? [
                    trigger.repository,
                    trigger.onEvent.join(' and '),
                    trigger.onTargetBranch
                      ? `branches ${trigger.onTargetBranch.join(', ')}`
                      : 'every branch',
                    trigger.onPathChange &&
                      `paths ${trigger.onPathChange.join(', ')}`,
                    trigger.cancelInProgress && 'cancels runs in progress',
                    trigger.maxKeepRuns !== undefined &&
                      `keeps ${trigger.maxKeepRuns} finished runs`,
                  ]
                    .filter(Boolean)
                    .join('; ')
                : `not started by webhooks: ${trigger.problems.join('; ')}`}
            </Typography>
          </li>
        );
      })}
    </Box>
  );
}

/**
 * How to set up the webhook on each Git server: the URL to paste, the
 * secret, the events to tick, and the last delivery received from it. On an
 * entity, its Pipelines that webhooks start (and only the providers of their
 * repositories, when their hosts tell).
 */
export function WebhookSetupPanel(props: {
  entityRef?: string;
  deliveries?: WebhookDeliverySummary[];
}) {
  const { entityRef } = props;
  const webhooksApi = useApi(webhooksApiRef);
  const pipelinesApi = useApi(pipelinesApiRef);
  const urls = useAsync(async () => {
    const entries = await Promise.all(
      PROVIDER_SETUPS.map(
        async s =>
          [s.provider, await webhooksApi.webhookUrl(s.provider)] as const,
      ),
    );
    return Object.fromEntries(entries) as Record<GitProvider, string>;
  }, [webhooksApi]);
  const pipelines = useAsync(
    async () =>
      entityRef ? (await pipelinesApi.listPipelines(entityRef)).items : [],
    [pipelinesApi, entityRef],
  );
  const last = lastDeliveries(props.deliveries ?? []);

  const known = new Set(
    (pipelines.value ?? []).flatMap(p =>
      p.trigger?.valid ? [providerOfRepository(p.trigger.repository)] : [],
    ),
  );
  // Every provider unless all the entity's repositories are on known hosts.
  const shown =
    known.size > 0 && !known.has(undefined)
      ? PROVIDER_SETUPS.filter(s => known.has(s.provider))
      : PROVIDER_SETUPS;

  return (
    <Box mb={3}>
      <Typography variant="h6" gutterBottom>
        Set up the webhook
      </Typography>
      {entityRef && (
        <Box mb={2}>
          {pipelines.loading && <Progress />}
          {pipelines.error && <ResponseErrorPanel error={pipelines.error} />}
          {pipelines.value && (
            <TriggeredPipelines pipelines={pipelines.value} />
          )}
        </Box>
      )}
      {urls.error && <ResponseErrorPanel error={urls.error} />}
      <Grid container spacing={2}>
        {shown.map(setup => (
          <Grid item xs={12} md={4} key={setup.provider}>
            <ProviderCard
              setup={setup}
              url={urls.value?.[setup.provider]}
              last={last[setup.provider]}
            />
          </Grid>
        ))}
      </Grid>
    </Box>
  );
}
