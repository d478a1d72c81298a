import { useEffect, useRef, useState } from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  List,
  ListItem,
  ListItemText,
  TextField,
  Typography,
} from '@material-ui/core';
import type {
  ClusterError,
  PipelineTask,
  TaskSummary,
} from '@cairn/plugin-pipelines-common';
import { ClusterErrors } from '@cairn/plugin-kubernetes-react';

import { StoreTarget, StoreTaskPicker } from './StoreTaskPicker';

/** What the picker chose: a Task of the namespace, an inline task, or a task made from the template store. */
export type PickedTask =
  | { kind: 'inline' }
  | { kind: 'ref'; task: TaskSummary }
  | { kind: 'store'; task: Omit<PipelineTask, 'name'> & { name: string } };

function matches(task: TaskSummary, query: string) {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  return [task.name, task.displayName ?? '', task.description ?? '']
    .join(' ')
    .toLowerCase()
    .includes(q);
}

/**
 * Chooses the task to add: "Inline task" (a taskSpec with one step), or one
 * of the namespace's Tasks, searchable by name and description, with their
 * params shown.
 */
export function TaskPicker(props: {
  title: string;
  tasks: TaskSummary[];
  loading: boolean;
  /** Why the namespace's Tasks could not be listed, if they could not. */
  tasksError?: string;
  /** The cluster, when its Tasks are missing or its last known ones. */
  clusterErrors?: ClusterError[];
  /** Where the pipeline is, for installing store Tasks there. */
  storeTarget?: StoreTarget;
  onPick: (picked: PickedTask) => void;
  onClose: () => void;
}) {
  const [query, setQuery] = useState('');
  // Typing searches at once: the search field has the focus when the dialog opens.
  const search = useRef<HTMLInputElement>(null);
  useEffect(() => search.current?.focus(), []);
  const shown = props.tasks.filter(t => matches(t, query));
  return (
    <Dialog open onClose={props.onClose} fullWidth maxWidth="sm">
      <DialogTitle>{props.title}</DialogTitle>
      <DialogContent>
        <ClusterErrors errors={props.clusterErrors} what="Tasks" />
        <TextField
          id="task-picker-search"
          inputRef={search}
          fullWidth
          label="Search Tasks"
          value={query}
          onChange={e => setQuery(e.target.value)}
          margin="dense"
        />
        <List dense aria-label="Tasks">
          <ListItem button onClick={() => props.onPick({ kind: 'inline' })}>
            <ListItemText
              primary="Inline task"
              secondary="Write the steps here (taskSpec): an image and a script or command"
            />
          </ListItem>
          {shown.map(task => (
            <ListItem
              key={task.name}
              button
              onClick={() => props.onPick({ kind: 'ref', task })}
            >
              <ListItemText
                primary={task.displayName ?? task.name}
                secondary={
                  <>
                    {task.displayName && <>{task.name} · </>}
                    {task.description ?? 'No description'}
                    {task.params.length > 0 && (
                      <>
                        <br />
                        Params:{' '}
                        {task.params
                          .map(
                            p =>
                              `${p.name}${p.required ? '*' : ''} (${p.type})`,
                          )
                          .join(', ')}
                      </>
                    )}
                  </>
                }
              />
            </ListItem>
          ))}
        </List>
        {props.loading && (
          <Typography variant="body2">
            Loading the namespace's Tasks…
          </Typography>
        )}
        {props.tasksError && (
          <Typography variant="body2" color="error">
            The namespace's Tasks could not be listed: {props.tasksError}
          </Typography>
        )}
        {!props.loading &&
          !props.tasksError &&
          props.tasks.length > 0 &&
          shown.length === 0 && (
            <Typography variant="body2">No Task matches "{query}".</Typography>
          )}
        {!props.loading &&
          !props.tasksError &&
          !props.clusterErrors?.length &&
          props.tasks.length === 0 && (
            <Typography variant="body2">
              The namespace has no Tasks; add an inline task.
            </Typography>
          )}
        <StoreTaskPicker
          query={query}
          target={props.storeTarget}
          onPick={task => props.onPick({ kind: 'store', task })}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
      </DialogActions>
    </Dialog>
  );
}
