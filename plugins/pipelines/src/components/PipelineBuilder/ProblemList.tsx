import { List, ListItem, ListItemIcon, ListItemText } from '@material-ui/core';
import ErrorIcon from '@material-ui/icons/Error';
import WarningIcon from '@material-ui/icons/Warning';
import type { ValidationProblem } from '@cairn/plugin-pipelines-common';

/** Problems with where they are; clicking one selects its task. */
export function ProblemList(props: {
  problems: ValidationProblem[];
  title?: string;
  onSelectTask?: (task: string) => void;
}) {
  if (!props.problems.length) return null;
  return (
    <List dense aria-label={props.title ?? 'Problems'}>
      {props.problems.map((p, i) => {
        const content = (
          <>
            <ListItemIcon style={{ minWidth: 32 }}>
              {p.severity === 'error' ? (
                <ErrorIcon color="error" fontSize="small" />
              ) : (
                <WarningIcon fontSize="small" style={{ color: '#ed6c02' }} />
              )}
            </ListItemIcon>
            <ListItemText
              primary={p.message}
              secondary={[p.path, p.line ? `line ${p.line}` : undefined]
                .filter(Boolean)
                .join(' · ')}
            />
          </>
        );
        const { onSelectTask } = props;
        return onSelectTask && p.task ? (
          <ListItem key={i} button onClick={() => onSelectTask(p.task!)}>
            {content}
          </ListItem>
        ) : (
          <ListItem key={i}>{content}</ListItem>
        );
      })}
    </List>
  );
}
