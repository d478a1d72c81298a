import { Route, Routes, useResolvedPath } from 'react-router-dom';
import { EntityRefProvider, RouteEntityRefProvider } from './EntityRefContext';
import { RunDetail } from './RunDetail';
import { RunsTable } from './RunsTable';
import { StartRunButton } from './actions';
import {
  EditPipelinePage,
  NewPipelinePage,
  PipelinesCard,
} from './PipelineBuilder';
import { Box } from '@material-ui/core';
import { EmptyState, LinkButton } from '@backstage/core-components';
import { useLocation } from 'react-router-dom';
import { useRunPaths } from './EntityRefContext';
import { WebhooksContent } from './Webhooks';

/** An address below the runs list that names no page of it. */
function PipelinesNotFound() {
  const { pathname } = useLocation();
  const paths = useRunPaths();
  return (
    <EmptyState
      missing="content"
      title="Page not found (404)"
      description={
        <>
          Nothing lives at <code>{pathname}</code>. A run's page is{' '}
          <code>runs/&lt;cluster&gt;/&lt;namespace&gt;/&lt;name&gt;</code> below
          the runs list.
        </>
      }
      action={
        <LinkButton variant="contained" color="primary" to={paths.list}>
          All runs
        </LinkButton>
      }
    />
  );
}

/**
 * Runs and their details, on an entity's CI/CD tab (`entityRef` given) or on
 * the Pipelines page (no `entityRef`: every entity the user may read, and
 * pages below the list name their entity with `?entityRef=`). The pipelines
 * and runs lists are at the mount point, a run's detail at
 * `runs/:cluster/:namespace/:name`, the builder at `builder/new` and
 * `builder/:cluster/:namespace/:name`, the webhook setup and delivery log at
 * `webhooks`.
 */
export function PipelinesRouter(props: {
  entityRef?: string;
  selectorHint?: string;
  title?: string;
}) {
  const basePath = useResolvedPath('.').pathname;
  return (
    <EntityRefProvider entityRef={props.entityRef} basePath={basePath}>
      <Routes>
        <Route
          path="/"
          element={
            <>
              <PipelinesCard />
              <RunsTable
                selectorHint={props.selectorHint}
                title={props.title}
                actions={
                  <Box mb={2} display="flex" style={{ gap: 8 }}>
                    <StartRunButton />
                    <LinkButton to="webhooks" variant="outlined">
                      Webhooks
                    </LinkButton>
                  </Box>
                }
              />
            </>
          }
        />
        <Route path="/webhooks" element={<WebhooksContent />} />
        <Route
          path="/runs/:cluster/:namespace/:name"
          element={
            <RouteEntityRefProvider>
              <RunDetail />
            </RouteEntityRefProvider>
          }
        />
        <Route
          path="/builder/new"
          element={
            <RouteEntityRefProvider>
              <NewPipelinePage />
            </RouteEntityRefProvider>
          }
        />
        <Route
          path="/builder/:cluster/:namespace/:name"
          element={
            <RouteEntityRefProvider>
              <EditPipelinePage />
            </RouteEntityRefProvider>
          }
        />
        <Route path="*" element={<PipelinesNotFound />} />
      </Routes>
    </EntityRefProvider>
  );
}
