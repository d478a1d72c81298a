import { WarningPanel } from '@backstage/core-components';
import { Box } from '@material-ui/core';
import type { ClusterError } from '@cairn/plugin-rollouts-common';

/**
 * The clusters a response could not read live: their Stones are missing,
 * or shown as last known (`unreachableSince`).
 */
export function ClusterErrors(props: {
  errors: readonly ClusterError[] | undefined;
}) {
  const errors = props.errors ?? [];
  if (errors.length === 0) return null;
  return (
    <Box mb={2}>
      <WarningPanel
        severity="warning"
        defaultExpanded
        title={`${errors.length} cluster(s) did not answer: their Stones are missing or not live`}
      >
        {errors.map(e => (
          <div key={e.cluster}>
            <strong>{e.cluster}</strong>
            {e.unreachableSince
              ? ` (last known state from ${new Date(
                  e.unreachableSince,
                ).toLocaleString()})`
              : ''}
            : {e.message}
          </div>
        ))}
      </WarningPanel>
    </Box>
  );
}
