import { WarningPanel } from '@backstage/core-components';
import { Box, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import type { ClusterError } from '@cairn/plugin-kubernetes-common';
import useInterval from 'react-use/esm/useInterval';

/**
 * How often a view showing a cluster's last known state asks again, so it
 * turns live by itself once the cluster is back.
 * @public
 */
export const STALE_REFRESH_MS = 5000;

/**
 * Whether a response holds a cluster's last known state rather than its live one.
 * @public
 */
export function isStale(errors: readonly ClusterError[] | undefined): boolean {
  return (errors ?? []).some(e => e.unreachableSince !== undefined);
}

/**
 * Calls `refresh` every `intervalMs` while `errors` hold a cluster at its
 * last known state: a lost cluster pushes no change, so only asking again
 * notices it is back. What {@link ClusterErrors}' banner promises.
 * @public
 */
export function useRefreshWhileStale(
  errors: readonly ClusterError[] | undefined,
  refresh: () => void,
  intervalMs: number = STALE_REFRESH_MS,
): void {
  useInterval(refresh, isStale(errors) ? intervalMs : null);
}

function formatTime(iso: string): string {
  return new Date(iso).toLocaleString();
}

/**
 * What a response says about its clusters: one banner per cluster shown at
 * its last known state (the portal lost it), and one panel for the clusters
 * whose objects are missing. A view that shows it refreshes itself while a
 * cluster is stale ({@link useRefreshWhileStale}), as the banner says.
 * @public
 */
export function ClusterErrors(props: {
  errors: readonly ClusterError[] | undefined;
  /** What is missing of an unread cluster, e.g. "Runs". */
  what: string;
}) {
  const errors = props.errors ?? [];
  const stale = errors.filter(e => e.unreachableSince !== undefined);
  const missing = errors.filter(e => e.unreachableSince === undefined);
  if (errors.length === 0) return null;
  return (
    <>
      {stale.map(e => (
        <Box mb={2} key={`stale-${e.cluster}`}>
          <Alert severity="warning" role="alert">
            <Typography variant="body2">
              <strong>
                Showing the last known state of {e.cluster} from{' '}
                <time dateTime={e.unreachableSince}>
                  {formatTime(e.unreachableSince!)}
                </time>
              </strong>{' '}
              — not live; this page updates by itself once the cluster answers
              again.
            </Typography>
            <Typography variant="body2">{e.message}</Typography>
          </Alert>
        </Box>
      ))}
      {missing.length > 0 && (
        <Box mb={2}>
          <WarningPanel
            defaultExpanded
            title={`${props.what} of ${missing.length} cluster(s) are missing`}
          >
            {missing.map(c => (
              <div key={c.cluster}>
                {c.cluster}: {c.message}
              </div>
            ))}
          </WarningPanel>
        </Box>
      )}
    </>
  );
}
