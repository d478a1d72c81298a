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

/**
 * Runs and their details, on an entity's CI/CD tab (`entityRef` given) or on
 * the Pipelines page (no `entityRef`: every entity the user may read, and
 * pages below the list name their entity with `?entityRef=`). The pipelines
 * and runs lists are at the mount point, a run's detail at
 * `runs/:cluster/:namespace/:name`, the builder at `builder/new` and
 * `builder/:cluster/:namespace/:name`.
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
                  <Box mb={2}>
                    <StartRunButton />
                  </Box>
                }
              />
            </>
          }
        />
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
      </Routes>
    </EntityRefProvider>
  );
}
