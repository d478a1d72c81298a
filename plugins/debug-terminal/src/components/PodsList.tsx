import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { ClusterErrors } from '@cairn/plugin-kubernetes-react';
import {
  Button,
  Chip,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Tooltip,
  Typography,
} from '@material-ui/core';
import { debugEligibility } from '@cairn/plugin-debug-terminal-common';
import type {
  DebugContainerSummary,
  DebugPodList,
  DebugPodSummary,
} from '@cairn/plugin-debug-terminal-common';

const stateLabel = (c: DebugContainerSummary) =>
  c.reason ? `${c.state}: ${c.reason}` : c.state;

export interface PodsListProps {
  pods: { loading: boolean; error?: Error; value?: DebugPodList };
  onDebug(pod: DebugPodSummary, container: string): void;
  onShell(pod: DebugPodSummary, container: string): void;
  onRefresh(): void;
}

/** Debug, disabled with the reason when no session can start next to the container (a finished pod). */
function DebugButton({
  pod,
  container,
  onDebug,
}: {
  pod: DebugPodSummary;
  container: string;
  onDebug: PodsListProps['onDebug'];
}) {
  const eligibility = debugEligibility(pod, container);
  return (
    <Tooltip title={eligibility.debuggable ? '' : eligibility.reason}>
      {/* A disabled button takes no pointer events; its wrapper shows the reason. */}
      <span>
        <Button
          size="small"
          color="primary"
          aria-label={`Debug ${pod.name} ${container}`}
          disabled={!eligibility.debuggable}
          onClick={() => onDebug(pod, container)}
        >
          Debug
        </Button>
      </span>
    </Tooltip>
  );
}

/** The entity's pods per cluster, each container with Debug and Shell. */
export function PodsList({ pods, onDebug, onShell, onRefresh }: PodsListProps) {
  let content;
  if (pods.loading && !pods.value) content = <Progress />;
  else if (pods.error) content = <ResponseErrorPanel error={pods.error} />;
  else {
    const { items, clusterErrors } = pods.value!;
    const clusters = [...new Set(items.map(p => p.cluster))];
    content = (
      <>
        <ClusterErrors errors={clusterErrors} what="Pods" />
        {items.length === 0 && (
          <Typography variant="body2">
            No pods of this entity are running on any cluster. Its pods carry
            the label its backstage.io/kubernetes-id (or label selector)
            annotation names.
          </Typography>
        )}
        {clusters.map(cluster => (
          <div key={cluster}>
            <Typography variant="subtitle1">Cluster {cluster}</Typography>
            <Table size="small" aria-label={`Pods on cluster ${cluster}`}>
              <TableHead>
                <TableRow>
                  <TableCell>Pod</TableCell>
                  <TableCell>Container</TableCell>
                  <TableCell>State</TableCell>
                  <TableCell>Restarts</TableCell>
                  <TableCell />
                </TableRow>
              </TableHead>
              <TableBody>
                {items
                  .filter(p => p.cluster === cluster)
                  .flatMap(pod =>
                    pod.containers.map(c => (
                      <TableRow key={`${pod.namespace}/${pod.name}/${c.name}`}>
                        <TableCell>
                          {pod.name}
                          <Typography variant="caption" display="block">
                            {pod.namespace} · {pod.phase ?? 'Unknown'}
                            {pod.debugContainers.length
                              ? ` · ${pod.debugContainers.length} debug container(s)`
                              : ''}
                          </Typography>
                        </TableCell>
                        <TableCell>{c.name}</TableCell>
                        <TableCell>
                          <Chip
                            size="small"
                            label={stateLabel(c)}
                            color={
                              c.state === 'running' ? 'primary' : 'default'
                            }
                          />
                        </TableCell>
                        <TableCell>{c.restartCount}</TableCell>
                        <TableCell align="right">
                          <DebugButton
                            pod={pod}
                            container={c.name}
                            onDebug={onDebug}
                          />
                          <Button
                            size="small"
                            aria-label={`Shell ${pod.name} ${c.name}`}
                            disabled={c.state !== 'running'}
                            onClick={() => onShell(pod, c.name)}
                          >
                            Shell
                          </Button>
                        </TableCell>
                      </TableRow>
                    )),
                  )}
              </TableBody>
            </Table>
          </div>
        ))}
      </>
    );
  }
  return (
    <InfoCard
      title="Pods"
      subheader="Debug: a toolkit container next to the container (network, JVM, Python, Go tools). Shell: /bin/sh in the container itself."
      action={
        <Button size="small" aria-label="Refresh pods" onClick={onRefresh}>
          Refresh
        </Button>
      }
    >
      {content}
    </InfoCard>
  );
}
