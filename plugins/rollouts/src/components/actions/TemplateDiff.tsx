import { makeStyles, Typography } from '@material-ui/core';
import { diffLines } from 'diff';
import { stringify } from 'yaml';

const useStyles = makeStyles(theme => ({
  diff: {
    fontFamily: 'monospace',
    fontSize: 12,
    whiteSpace: 'pre',
    overflow: 'auto',
    maxHeight: 320,
    margin: 0,
    padding: theme.spacing(1),
    border: `1px solid ${theme.palette.divider}`,
  },
  added: { backgroundColor: 'rgba(76, 175, 80, 0.2)', display: 'block' },
  removed: { backgroundColor: 'rgba(244, 67, 54, 0.2)', display: 'block' },
}));

/** The pod template as YAML, keys in their order. */
export function templateYaml(template: unknown): string {
  return stringify(template ?? {});
}

/** A line diff of two pod templates, as YAML. */
export function TemplateDiff(props: {
  before: unknown;
  after: unknown;
  label: string;
}) {
  const classes = useStyles();
  const parts = diffLines(
    templateYaml(props.before),
    templateYaml(props.after),
  );
  if (parts.every(p => !p.added && !p.removed)) {
    return (
      <Typography variant="body2">No changes to the pod template.</Typography>
    );
  }
  return (
    <pre className={classes.diff} aria-label={props.label}>
      {parts.map((part, i) => {
        let prefix = '  ';
        let className: string | undefined;
        if (part.added) {
          prefix = '+ ';
          className = classes.added;
        } else if (part.removed) {
          prefix = '- ';
          className = classes.removed;
        }
        const text = part.value
          .replace(/\n$/, '')
          .split('\n')
          .map(line => `${prefix}${line}`)
          .join('\n');
        return (
          <span key={i} className={className}>
            {text}
            {'\n'}
          </span>
        );
      })}
    </pre>
  );
}
