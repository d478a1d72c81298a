import { Route, Routes, useResolvedPath } from 'react-router-dom';
import { EntityRefProvider } from './EntityRefContext';
import { RunDetail } from './RunDetail';
import { RunsTable } from './RunsTable';
import { StartRunButton } from './actions';
import { Box } from '@material-ui/core';

/**
 * The runs of one entity: the list at the mount point, a run's detail at
 * `runs/:cluster/:namespace/:name` below it.
 */
export function PipelinesRouter(props: {
  entityRef: string;
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
            <RunsTable
              selectorHint={props.selectorHint}
              title={props.title}
              actions={
                <Box mb={2}>
                  <StartRunButton />
                </Box>
              }
            />
          }
        />
        <Route path="/runs/:cluster/:namespace/:name" element={<RunDetail />} />
      </Routes>
    </EntityRefProvider>
  );
}
