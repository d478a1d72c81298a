import { useState } from 'react';
import {
  FormControlLabel,
  Radio,
  RadioGroup,
  Typography,
} from '@material-ui/core';
import { actionRefusal, StoneDetail } from '@cairn/plugin-rollouts-common';
import { ActionDialog } from './ActionDialog';
import { TemplateDiff } from './TemplateDiff';
import { formatTime } from '../time';

/**
 * Roll back to one of the Stone's revisions, after seeing the diff between
 * the Stone's template and the revision's.
 */
export function RollbackDialog(props: {
  detail: StoneDetail;
  onClose: () => void;
  onRollback: (revision: string) => Promise<void>;
}) {
  const { detail } = props;
  const choices = detail.revisions.filter(
    r => !actionRefusal(detail.stone, { type: 'rollback', revision: r.name }),
  );
  const [selected, setSelected] = useState(choices[0]?.name);
  const revision = choices.find(r => r.name === selected);
  return (
    <ActionDialog
      title={`Roll back ${detail.summary.name}`}
      action="Roll back"
      disabled={!revision}
      wide
      onClose={props.onClose}
      onAction={() => props.onRollback(revision!.name)}
    >
      {choices.length === 0 ? (
        <Typography variant="body2">
          There is no earlier revision to roll back to (the current revision is
          left by aborting the update).
        </Typography>
      ) : (
        <RadioGroup
          aria-label="Revision"
          value={selected ?? ''}
          onChange={e => setSelected(e.target.value)}
        >
          {choices.map(r => (
            <FormControlLabel
              key={r.name}
              value={r.name}
              control={<Radio />}
              label={`${r.name} (revision ${r.revision}, ${formatTime(
                r.createdAt,
              )})`}
            />
          ))}
        </RadioGroup>
      )}
      {revision && (
        <TemplateDiff
          before={detail.stone.spec.template}
          after={revision.template}
          label="Template diff"
        />
      )}
    </ActionDialog>
  );
}
