import { Step, StepLabel, Stepper, Typography } from '@material-ui/core';
import { STONE_STAGES } from '@cairn/operators-api';
import type { StoneDetail } from '@cairn/plugin-rollouts-common';
import { formatTime, since } from './time';

/**
 * Alpha → Beta → Omega → Release: where the update stands, how long its
 * stage has run, and who approved each stage of this update when.
 */
export function StageStepper(props: { detail: StoneDetail; now?: number }) {
  const { summary, approvals } = props.detail;
  const current = STONE_STAGES.indexOf(summary.strategy);
  const released =
    summary.strategy === 'Release' &&
    summary.stageComplete &&
    summary.currentRevision === summary.updateRevision;
  return (
    <Stepper activeStep={current} alternativeLabel aria-label="Release stages">
      {STONE_STAGES.map((stage, index) => {
        const approval = approvals.find(
          a => a.stage === stage && a.revision === summary.updateRevision,
        );
        const completed =
          index < current || (index === current && summary.stageComplete);
        const lines: string[] = [];
        if (index === current && !summary.stageComplete) {
          lines.push(
            summary.stageStartedAt
              ? `in progress for ${since(summary.stageStartedAt, props.now)}`
              : 'in progress',
          );
        } else if (index === current) {
          lines.push(released ? 'released' : 'complete — awaiting approval');
        }
        return (
          <Step
            key={stage}
            completed={completed}
            data-testid={`stage-${stage}`}
          >
            <StepLabel
              error={index === current && summary.degraded}
              optional={
                <>
                  {lines.map(line => (
                    <Typography key={line} variant="caption" display="block">
                      {line}
                    </Typography>
                  ))}
                  {approval && (
                    <Typography variant="caption" display="block">
                      approved by {approval.approvedBy}
                      {approval.forced ? ' (forced)' : ''} on{' '}
                      <time dateTime={approval.approvedAt}>
                        {formatTime(approval.approvedAt)}
                      </time>
                      {approval.comment ? `: “${approval.comment}”` : ''}
                    </Typography>
                  )}
                </>
              }
            >
              {stage}
            </StepLabel>
          </Step>
        );
      })}
    </Stepper>
  );
}
