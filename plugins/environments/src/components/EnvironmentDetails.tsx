import { Box, Button, Chip, Grid, Typography } from '@material-ui/core';
import { InfoCard, StructuredMetadataTable } from '@backstage/core-components';
import type {
  ClusterTopology,
  EnvironmentSummary,
} from '@cairn/plugin-environments-common';
import { describePlacement, describeStatus } from './format';
import { QuotaUsage } from './QuotaUsage';
import { TopologyDrawing } from './TopologyDrawing';

export interface EnvironmentDetailsProps {
  environment: EnvironmentSummary;
  /** The cluster's topology, to draw the environment's nodes. */
  topology?: ClusterTopology;
  onEdit?: () => void;
  onDelete?: () => void;
}

/** One environment: status, placement on the drawing, usage against quota, tenants and limits. */
export function EnvironmentDetails(props: EnvironmentDetailsProps) {
  const { environment: e, topology } = props;
  const allowedClasses = e.spec.storageClasses
    ? e.spec.storageClasses.join(', ') || 'none'
    : 'all';
  const limits = e.spec.limits ?? {};
  return (
    <InfoCard
      title={`Environment ${e.name}`}
      subheader={`namespace ${e.spec.namespace} on cluster ${e.cluster}`}
      action={
        <Box display="flex" gridGap={8} alignItems="center">
          <Chip
            label={describeStatus(e)}
            color={e.ready ? 'primary' : 'default'}
            size="small"
          />
          {props.onEdit && (
            <Button variant="outlined" onClick={props.onEdit}>
              Edit
            </Button>
          )}
          {props.onDelete && (
            <Button variant="outlined" onClick={props.onDelete}>
              Delete
            </Button>
          )}
        </Box>
      }
    >
      <Grid container spacing={3}>
        <Grid item xs={12} md={6}>
          <StructuredMetadataTable
            metadata={{
              owner: e.spec.owner,
              tenants:
                (e.spec.tenants ?? [])
                  .map(t => `${t.group} (${t.role})`)
                  .join(', ') || 'none',
              placement: describePlacement(e.spec.placement),
              nodes: e.nodes.length
                ? `${e.nodes.length}: ${e.nodes.join(', ')}`
                : 'none',
              'storage classes': allowedClasses,
              'container defaults':
                [
                  limits.default && `limit ${formatList(limits.default)}`,
                  limits.defaultRequest &&
                    `request ${formatList(limits.defaultRequest)}`,
                  limits.max && `max ${formatList(limits.max)}`,
                ]
                  .filter(Boolean)
                  .join('; ') || 'none',
              'on delete':
                e.spec.deletionPolicy === 'Delete'
                  ? 'the namespace is deleted'
                  : 'the namespace stays (Orphan)',
            }}
          />
        </Grid>
        <Grid item xs={12} md={6}>
          <Typography variant="h6">Usage against quota</Typography>
          <QuotaUsage hard={e.quota.hard} used={e.quota.used} />
          <Box mt={2}>
            <Typography variant="h6">Conditions</Typography>
            {e.conditions.length === 0 && (
              <Typography variant="body2" color="textSecondary">
                The operator has not reported yet.
              </Typography>
            )}
            {e.conditions.map(c => (
              <Typography variant="body2" key={c.type}>
                <strong>
                  {c.type}={c.status}
                </strong>{' '}
                ({c.reason}) {c.message}
              </Typography>
            ))}
          </Box>
        </Grid>
        {topology && (
          <Grid item xs={12}>
            <Typography variant="h6">Nodes of the environment</Typography>
            <TopologyDrawing
              nodes={topology.nodes}
              placed={new Set(e.nodes)}
              mode={{ kind: 'view' }}
            />
          </Grid>
        )}
      </Grid>
    </InfoCard>
  );
}

function formatList(list: Record<string, string>): string {
  return Object.entries(list)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}
