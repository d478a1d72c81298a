import { Box, Button } from '@material-ui/core';
import { useApi } from '@backstage/core-plugin-api';
import { LinkButton } from '@backstage/core-components';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { WEBHOOK_DELIVERIES_SIGNAL_CHANNEL } from '@cairn/plugin-pipelines-common';
import { useSignalVersion } from '@cairn/plugin-kubernetes-react';
import { webhooksApiRef } from '../../api';
import {
  useOptionalPipelinesEntityRef,
  useRunPaths,
} from '../EntityRefContext';
import { WebhookDeliveriesTable } from './WebhookDeliveriesTable';
import { WebhookSetupPanel } from './WebhookSetupPanel';

/**
 * The Webhooks page below the runs list: how to set up the webhook, and the
 * delivery log — every delivery the user may see on the Pipelines page, the
 * entity's on its CI/CD tab. The log is read again when the backend
 * signals new deliveries or outcomes (at most twice a second); without
 * Signals in the app, the Refresh button is the way.
 */
export function WebhooksContent() {
  const entityRef = useOptionalPipelinesEntityRef();
  const paths = useRunPaths();
  const api = useApi(webhooksApiRef);
  const changes = useSignalVersion(WEBHOOK_DELIVERIES_SIGNAL_CHANNEL);
  const deliveries = useAsyncRetry(
    () => api.listDeliveries({ entityRef }),
    [api, entityRef, changes],
  );
  return (
    <>
      <Box mb={2} display="flex" style={{ gap: 8 }}>
        <LinkButton to={paths.list} variant="outlined">
          All runs
        </LinkButton>
        <Button
          variant="outlined"
          onClick={deliveries.retry}
          disabled={deliveries.loading}
        >
          Refresh
        </Button>
      </Box>
      <WebhookSetupPanel entityRef={entityRef} deliveries={deliveries.value} />
      <WebhookDeliveriesTable entityRef={entityRef} deliveries={deliveries} />
    </>
  );
}
