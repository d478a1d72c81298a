import { Box, LinearProgress, Typography } from '@material-ui/core';
import type { ResourceList } from '@cairn/operators-api';
import { quotaUsage } from '@cairn/plugin-environments-common';

/** Usage against quota, one bar per limited resource (used / hard). */
export function QuotaUsage(props: { hard: ResourceList; used: ResourceList }) {
  const rows = quotaUsage(props.hard, props.used);
  if (rows.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No quota yet
      </Typography>
    );
  }
  return (
    <Box>
      {rows.map(row => (
        <Box key={row.resource} mb={1} aria-label={`quota ${row.resource}`}>
          <Typography variant="body2">
            {row.resource}: {row.used} / {row.hard}
          </Typography>
          <LinearProgress
            variant="determinate"
            color={row.fraction >= 0.9 ? 'secondary' : 'primary'}
            value={Math.min(100, Math.round(row.fraction * 100))}
          />
        </Box>
      ))}
    </Box>
  );
}
