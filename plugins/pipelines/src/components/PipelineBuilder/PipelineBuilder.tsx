import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { storageApiRef, useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  Box,
  Button,
  ButtonGroup,
  CircularProgress,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  FormControlLabel,
  Menu,
  MenuItem,
  Paper,
  Switch,
  Tooltip,
  Typography,
  useMediaQuery,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import ArrowBackIcon from '@material-ui/icons/ArrowBack';
import RedoIcon from '@material-ui/icons/Redo';
import UndoIcon from '@material-ui/icons/Undo';
import AddIcon from '@material-ui/icons/Add';
import DeleteIcon from '@material-ui/icons/Delete';
import {
  applyEdit,
  BuilderEdit,
  builderGraph,
  completionsFor,
  locateCompletionScope,
  locateProblems,
  parsePipelineYaml,
  Pipeline,
  PipelineTask,
  pipelinesPipelineUpdatePermission,
  pipelineToYaml,
  TaskSummary,
  validatePipeline,
  ValidationProblem,
} from '@cairn/plugin-pipelines-common';
import { ResponseError } from '@backstage/errors';
import { useNavigate } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { pipelinesApiRef, RunRef } from '../../api';
import { useRunPaths } from '../EntityRefContext';
import { errorMessage } from '../actions/errorMessage';
import { BuilderCanvas } from './BuilderCanvas';
import {
  BuilderDraft,
  draftKey,
  readDraft,
  removeDraft,
  writeDraft,
} from './drafts';
import { EditPath } from './forms';
import {
  recordText,
  redoText,
  startHistory,
  TextHistory,
  undoText,
} from './history';
import { clampWidth, PaneResizer } from './PaneResizer';
import { PipelinePanel, PipelineLocation } from './PipelinePanel';
import { CompletionsContext } from './RefTextField';
import { TaskPanel } from './TaskPanel';
import { PickedTask, TaskPicker } from './TaskPicker';
import { SaveToStoreButton } from './SaveToStoreButton';
import { V1beta1Notice } from './V1beta1Notice';
import { TextMarker, YamlEditor } from './YamlEditor';

/** Where a task is added, relative to the selected one. */
type Placement = Extract<BuilderEdit, { kind: 'addTask' }>['placement'];

const PLACEMENTS: Array<{
  label: string;
  placement: (selected: string) => Placement;
  needsSelection: boolean;
}> = [
  {
    label: 'After the selected task',
    placement: of => ({ type: 'after', of }),
    needsSelection: true,
  },
  {
    label: 'Before the selected task',
    placement: of => ({ type: 'before', of }),
    needsSelection: true,
  },
  {
    label: 'In parallel with the selected task',
    placement: of => ({ type: 'parallel', of }),
    needsSelection: true,
  },
  {
    label: 'As a finally task',
    placement: () => ({ type: 'finally' }),
    needsSelection: false,
  },
  {
    label: 'As a first task (no runAfter)',
    placement: () => ({ type: 'root' }),
    needsSelection: false,
  },
];

function allTasks(pipeline: Pipeline | undefined) {
  return [...(pipeline?.spec.tasks ?? []), ...(pipeline?.spec.finally ?? [])];
}

/** A DNS-1123 name not yet used by a task of the pipeline. */
function freeTaskName(pipeline: Pipeline | undefined, base: string) {
  const stem =
    base
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 50) || 'task';
  const used = new Set(allTasks(pipeline).map(t => t.name));
  if (!used.has(stem)) return stem;
  let n = 2;
  while (used.has(`${stem}-${n}`)) n++;
  return `${stem}-${n}`;
}

function newTask(
  pipeline: Pipeline | undefined,
  picked: PickedTask,
): PipelineTask {
  if (picked.kind === 'inline') {
    return {
      name: freeTaskName(pipeline, 'task'),
      taskSpec: { steps: [{ name: 'run', image: '', script: '' }] },
    };
  }
  if (picked.kind === 'store') {
    return { ...picked.task, name: freeTaskName(pipeline, picked.task.name) };
  }
  return {
    name: freeTaskName(pipeline, picked.task.name),
    taskRef: { name: picked.task.name },
  };
}

/** Lint markers: each located problem at its field (line 1 when it has no position). */
function toMarkers(problems: ValidationProblem[]): TextMarker[] {
  return problems.map(p => ({
    severity: p.severity,
    message: p.path ? `${p.message} (${p.path})` : p.message,
    line: p.line ?? 1,
    column: p.column,
  }));
}

function pickerTitle(placement: Placement) {
  switch (placement.type) {
    case 'finally':
      return 'Add a finally task';
    case 'root':
      return 'Add a task';
    case 'parallel':
      return `Add a task in parallel with ${placement.of}`;
    default:
      return `Add a task ${placement.type} ${placement.of}`;
  }
}

/**
 * Asks the browser to confirm leaving the page (reload, closing the tab,
 * another address) while `dirty`. Navigation inside the app is guarded by
 * the builder's own Back button: react-router's blocker needs a data router,
 * which the app does not use; other links leave a draft that is offered back.
 */
const GRAPH_MIN_WIDTH = 200;
const PANEL_MIN_WIDTH = 260;
const YAML_MIN_WIDTH = 200;
/** The YAML pane's width until the user drags its divider. */
const YAML_WIDTH = 360;

/** The width of an element, kept up to date as it resizes. */
function useElementWidth(element: React.RefObject<HTMLElement>) {
  const [width, setWidth] = useState<number>();
  useEffect(() => {
    const target = element.current;
    if (!target || typeof ResizeObserver === 'undefined') return undefined;
    const observer = new ResizeObserver(() => setWidth(target.clientWidth));
    observer.observe(target);
    setWidth(target.clientWidth);
    return () => observer.disconnect();
  }, [element]);
  return width;
}

function useWarnOnUnload(dirty: boolean) {
  useEffect(() => {
    if (!dirty) return undefined;
    const warn = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Browsers before the preventDefault() convention need a returnValue.
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);
}

function isConflict(error: unknown) {
  return ResponseError.is(error) && error.statusCode === 409;
}

/** What the builder edits: a loaded pipeline, or a new one. */
export type BuilderSubject =
  | {
      kind: 'existing';
      ref: RunRef;
      resourceVersion: string;
      text: string;
    }
  | {
      kind: 'new';
      text: string;
      clusters: string[];
      location: PipelineLocation;
    };

/**
 * The pipeline builder: the graph and the YAML side by side and a panel for
 * the selected task (or the pipeline). The YAML text is the source of truth:
 * every graph or form change is an `applyEdit` of it, undo/redo steps
 * through texts, and graph, forms and problems are derived from it.
 */
export function PipelineBuilder(props: {
  entityRef: string;
  subject: BuilderSubject;
  /** After a save: where the pipeline is, and whether to start a run of it. */
  onSaved: (ref: RunRef, run: boolean) => void;
}) {
  const { entityRef, subject } = props;
  const api = useApi(pipelinesApiRef);
  const permission = usePermission({
    permission: pipelinesPipelineUpdatePermission,
    resourceRef: entityRef,
  });
  const readOnly = !permission.loading && !permission.allowed;

  const [history, setHistory] = useState<TextHistory>(() =>
    startHistory(subject.text),
  );
  // Edits apply to the latest text, also when several happen in one event.
  const historyRef = useRef(history);
  const commit = useCallback((next: TextHistory) => {
    historyRef.current = next;
    setHistory(next);
  }, []);
  const text = history.present;
  const [savedText, setSavedText] = useState(subject.text);
  const dirty = text !== savedText;
  useWarnOnUnload(dirty);
  const navigate = useNavigate();
  const paths = useRunPaths();
  const [confirmingLeave, setConfirmingLeave] = useState(false);
  const leave = () => navigate(paths.list);
  const [resourceVersion, setResourceVersion] = useState(
    subject.kind === 'existing' ? subject.resourceVersion : undefined,
  );
  const [location, setLocation] = useState(
    subject.kind === 'new' ? subject.location : undefined,
  );
  const where =
    subject.kind === 'existing'
      ? { cluster: subject.ref.cluster, namespace: subject.ref.namespace }
      : location!;
  const draft = draftKey(
    entityRef,
    subject.kind === 'existing' ? subject.ref : 'new',
  );
  // Work left unsaved by an in-app link (which the app's router cannot block), offered back.
  const [leftDraft, setLeftDraft] = useState(() => {
    const left = readDraft(draft);
    return left && left.text !== subject.text ? left : undefined;
  });
  useEffect(() => {
    if (dirty) writeDraft(draft, { text, resourceVersion, location });
    // Kept while offered, unless newer edits replaced it.
    else if (!leftDraft) removeDraft(draft);
  }, [draft, dirty, text, resourceVersion, location, leftDraft]);
  const restoreDraft = (left: BuilderDraft) => {
    // A step of its own: Undo brings the loaded text back.
    commit(recordText(historyRef.current, left.text));
    // Saving then fails with a conflict if the pipeline changed since.
    if (left.resourceVersion) setResourceVersion(left.resourceVersion);
    if (left.location && subject.kind === 'new') setLocation(left.location);
    setLeftDraft(undefined);
  };
  const discardDraft = () => {
    removeDraft(draft);
    setLeftDraft(undefined);
  };

  const [selected, setSelected] = useState<string>();
  const [editError, setEditError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [picking, setPicking] = useState<Placement>();
  const [addMenu, setAddMenu] = useState<HTMLElement | null>(null);
  // Beside the graph when there is room for three panes; a switch away otherwise.
  const wide = useMediaQuery('(min-width:1280px)', { noSsr: true });
  const [showYaml, setShowYaml] = useState(wide);
  // The YAML pane's width, as the user last dragged it (kept across visits).
  const layoutStorage = useApi(storageApiRef).forBucket('pipeline-builder');
  const [yamlWidth, setYamlWidth] = useState(
    () => layoutStorage.snapshot<number>('yamlWidth').value ?? YAML_WIDTH,
  );
  const panes = useRef<HTMLDivElement>(null);
  const panesWidth = useElementWidth(panes);
  // Room for the YAML pane: all that the graph and the side panel do not need
  // (until the panes are measured, as much as it asks for).
  const maxYamlWidth = panesWidth
    ? panesWidth - GRAPH_MIN_WIDTH - PANEL_MIN_WIDTH - 24
    : yamlWidth;
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string>();
  const [conflict, setConflict] = useState<string>();

  const tasks = useAsyncRetry(
    () =>
      where.cluster && where.namespace
        ? api.listTasks(entityRef, where)
        : Promise.resolve({ items: [], clusterErrors: [] }),
    [api, entityRef, where.cluster, where.namespace],
  );
  const taskSummaries: TaskSummary[] = useMemo(
    () => tasks.value?.items ?? [],
    [tasks.value],
  );
  const namespaceTasks = useMemo(
    () => taskSummaries.map(t => t.task),
    [taskSummaries],
  );

  const parsed = useMemo(() => parsePipelineYaml(text), [text]);
  const lastValid = useRef<Pipeline>();
  if (parsed.pipeline) lastValid.current = parsed.pipeline;
  const pipeline = parsed.pipeline;
  const shown = pipeline ?? lastValid.current;
  // Each problem with the line of the field it is about, for the YAML view and the lists.
  const problems = useMemo(
    () =>
      locateProblems(
        text,
        pipeline
          ? [
              ...parsed.problems,
              ...validatePipeline(pipeline, { tasks: namespaceTasks }),
            ]
          : parsed.problems,
      ),
    [text, pipeline, parsed.problems, namespaceTasks],
  );
  const graph = useMemo(
    () =>
      builderGraph(shown ?? ({ metadata: {}, spec: {} } as Pipeline), problems),
    [shown, problems],
  );
  const markers = useMemo(() => toMarkers(problems), [problems]);
  const errors = problems.filter(p => p.severity === 'error');

  const selectedTask = allTasks(pipeline).find(t => t.name === selected);
  const isFinally = !!pipeline?.spec.finally?.some(t => t.name === selected);
  // With the namespace's Tasks, results of referenced Tasks are offered too.
  const completions = useMemo(
    () =>
      pipeline
        ? completionsFor(
            pipeline,
            selectedTask ? { task: selectedTask.name } : {},
            { tasks: namespaceTasks },
          )
        : [],
    [pipeline, selectedTask, namespaceTasks],
  );
  // An inline task's steps see its own params, results and workspaces, and the TaskRun's context.
  const stepCompletions = useMemo(
    () =>
      pipeline && selectedTask?.taskSpec
        ? completionsFor(
            pipeline,
            { task: selectedTask.name, taskSpec: true },
            { tasks: namespaceTasks },
          )
        : [],
    [pipeline, selectedTask, namespaceTasks],
  );
  // In the YAML view, what the place at the caret may use: the task it is in, or its taskSpec.
  const yamlCompletionsAt = useCallback(
    (yamlText: string, offset: number) =>
      pipeline
        ? completionsFor(pipeline, locateCompletionScope(yamlText, offset), {
            tasks: namespaceTasks,
          })
        : [],
    [pipeline, namespaceTasks],
  );

  const edit = useCallback(
    (change: BuilderEdit, key?: string) => {
      try {
        const current = historyRef.current;
        commit(recordText(current, applyEdit(current.present, change), key));
        setEditError(undefined);
        return true;
      } catch (e) {
        setEditError(errorMessage(e));
        return false;
      }
    },
    [commit],
  );

  const undo = () => commit(undoText(historyRef.current));
  const redo = () => commit(redoText(historyRef.current));

  const addTask = (picked: PickedTask) => {
    const placement = picking!;
    setPicking(undefined);
    const task = newTask(pipeline, picked);
    if (edit({ kind: 'addTask', task, placement })) setSelected(task.name);
    // A store Task just installed in the namespace: its params and workspaces come with the list.
    if (picked.kind === 'store' && task.taskRef) tasks.retry();
  };

  const blockedBy = (() => {
    if (readOnly) return 'You may not edit this entity’s pipelines';
    if (!pipeline) return 'Fix the YAML to save';
    if (errors.length) {
      return `Fix ${errors.length} problem${
        errors.length === 1 ? '' : 's'
      } to save`;
    }
    if (subject.kind === 'new' && (!location?.cluster || !location.namespace)) {
      return 'Choose the cluster and namespace to save to';
    }
    return undefined;
  })();
  const unchanged = subject.kind === 'existing' && !dirty;
  const saveDisabled = !!blockedBy || unchanged || saving;
  const saveHint = blockedBy ?? (unchanged ? 'No changes to save' : '');

  const save = async (run: boolean) => {
    if (!pipeline) return;
    setSaving(true);
    setSaveError(undefined);
    setConflict(undefined);
    try {
      if (subject.kind === 'new') {
        const created = await api.createPipeline(entityRef, {
          cluster: location!.cluster,
          namespace: location!.namespace,
          pipeline,
        });
        setSavedText(text);
        // Saving may leave the builder before the draft effect runs.
        removeDraft(draft);
        props.onSaved(created, run);
      } else {
        const updated = await api.updatePipeline(entityRef, subject.ref, {
          pipeline,
          resourceVersion: resourceVersion!,
        });
        setResourceVersion(updated.resourceVersion);
        setSavedText(text);
        removeDraft(draft);
        props.onSaved(subject.ref, run);
      }
    } catch (e) {
      if (subject.kind === 'existing' && isConflict(e))
        setConflict(errorMessage(e));
      else setSaveError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  };

  const reload = async () => {
    if (subject.kind !== 'existing') return;
    try {
      const theirs = await api.getPipeline(entityRef, subject.ref);
      const theirText = pipelineToYaml(theirs.pipeline);
      // Their version is a new step: Undo brings this editor's text back.
      commit(recordText(historyRef.current, theirText));
      setSavedText(theirText);
      setResourceVersion(theirs.resourceVersion);
      setConflict(undefined);
    } catch (e) {
      setSaveError(errorMessage(e));
    }
  };

  const onSetTask = (path: EditPath, value: unknown) =>
    selected &&
    edit(
      { kind: 'setTaskField', task: selected, path, value },
      `task:${selected}:${path.join('.')}`,
    );
  const onSetPipeline = (path: EditPath, value: unknown) =>
    edit(
      { kind: 'setPipelineField', path, value },
      `pipeline:${path.join('.')}`,
    );

  const canEditGraph = !readOnly && !!pipeline;
  const taskCount = graph.nodes.length;

  return (
    <Box
      display="flex"
      flexDirection="column"
      style={{ height: 'calc(100vh - 220px)', minHeight: 560 }}
      onKeyDown={e => {
        const target = e.target as HTMLElement;
        // The YAML editor and text fields have their own undo.
        if (target.closest('.cm-editor, input, textarea')) return;
        if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'z') {
          e.preventDefault();
          if (e.shiftKey) redo();
          else undo();
        }
      }}
    >
      <Box
        display="flex"
        alignItems="center"
        flexWrap="wrap"
        mb={1}
        style={{ gap: 8 }}
      >
        <Button
          size="small"
          startIcon={<ArrowBackIcon />}
          onClick={() => (dirty ? setConfirmingLeave(true) : leave())}
        >
          Back to pipelines
        </Button>
        <ButtonGroup size="small" aria-label="History">
          <Button
            aria-label="Undo"
            title="Undo (Ctrl+Z)"
            disabled={!history.past.length}
            onClick={undo}
            startIcon={<UndoIcon />}
          >
            Undo
          </Button>
          <Button
            aria-label="Redo"
            title="Redo (Ctrl+Shift+Z)"
            disabled={!history.future.length}
            onClick={redo}
            startIcon={<RedoIcon />}
          >
            Redo
          </Button>
        </ButtonGroup>
        <Button
          size="small"
          variant="outlined"
          startIcon={<AddIcon />}
          aria-haspopup="menu"
          disabled={!canEditGraph}
          onClick={e =>
            taskCount === 0
              ? setPicking({ type: 'root' })
              : setAddMenu(e.currentTarget)
          }
        >
          {taskCount === 0 ? 'Add first task' : 'Add task'}
        </Button>
        <Menu
          anchorEl={addMenu}
          open={!!addMenu}
          onClose={() => setAddMenu(null)}
        >
          {PLACEMENTS.map(p => (
            <MenuItem
              key={p.label}
              disabled={p.needsSelection && !selected}
              onClick={() => {
                setAddMenu(null);
                setPicking(p.placement(selected ?? ''));
              }}
            >
              {p.label}
            </MenuItem>
          ))}
        </Menu>
        <Button
          size="small"
          startIcon={<DeleteIcon />}
          disabled={!canEditGraph || !selected}
          aria-label={selected ? `Delete task ${selected}` : 'Delete task'}
          onClick={() => {
            if (selected && edit({ kind: 'removeTask', name: selected })) {
              setSelected(undefined);
            }
          }}
        >
          Delete task
        </Button>
        <FormControlLabel
          control={
            <Switch
              size="small"
              checked={showYaml}
              onChange={e => setShowYaml(e.target.checked)}
            />
          }
          label="YAML"
        />
        <SaveToStoreButton yaml={text} />
        <Box flex={1} />
        <Typography
          variant="body2"
          color={errors.length ? 'error' : 'textSecondary'}
          role="status"
        >
          {blockedBy ?? (unchanged ? 'All changes saved' : 'Unsaved changes')}
        </Typography>
        <Tooltip title={saveHint}>
          <span>
            <Button
              variant="contained"
              color="primary"
              size="small"
              disabled={saveDisabled}
              onClick={() => save(false)}
              startIcon={saving ? <CircularProgress size={14} /> : undefined}
            >
              Save
            </Button>
          </span>
        </Tooltip>
        <Tooltip title={saveHint}>
          <span>
            <Button
              variant="outlined"
              color="primary"
              size="small"
              disabled={saveDisabled}
              onClick={() => save(true)}
            >
              Save and run
            </Button>
          </span>
        </Tooltip>
      </Box>

      {leftDraft && (
        <Alert
          severity="info"
          action={
            <>
              <Button
                color="inherit"
                size="small"
                onClick={() => restoreDraft(leftDraft)}
              >
                Restore
              </Button>
              <Button color="inherit" size="small" onClick={discardDraft}>
                Discard
              </Button>
            </>
          }
        >
          This {subject.kind === 'new' ? 'new pipeline' : 'pipeline'} has
          unsaved changes from when you last left the builder in this tab.
          Restore your unsaved changes?
        </Alert>
      )}
      {readOnly && (
        <Alert severity="info">
          You may view this pipeline but not edit it: editing needs the
          pipelines.pipeline.update permission on {entityRef}.
        </Alert>
      )}
      {conflict && (
        <Alert
          severity="warning"
          action={
            <Button color="inherit" size="small" onClick={reload}>
              Reload
            </Button>
          }
        >
          This pipeline was changed by someone else since you loaded it, so it
          was not saved. Reload loads their version; Undo then brings yours
          back. ({conflict})
        </Alert>
      )}
      {saveError && (
        <Alert severity="error" onClose={() => setSaveError(undefined)}>
          Not saved: {saveError}
        </Alert>
      )}
      {editError && (
        <Alert severity="error" onClose={() => setEditError(undefined)}>
          {editError}
        </Alert>
      )}
      {notice && (
        <Alert severity="info" onClose={() => setNotice(undefined)}>
          {notice}
        </Alert>
      )}
      <V1beta1Notice
        text={text}
        readOnly={readOnly}
        onConvert={converted =>
          commit(recordText(historyRef.current, converted))
        }
      />
      {!pipeline && (
        <Alert severity="warning">
          The YAML does not parse as a Pipeline; the graph shows the last
          version that did. Fix the text to edit in the graph and the panels.
        </Alert>
      )}

      <Box
        {...{ ref: panes }}
        display="flex"
        flex={1}
        minHeight={0}
        mt={1}
        style={{ gap: 8 }}
      >
        <Paper
          variant="outlined"
          style={{ flex: 1, minWidth: GRAPH_MIN_WIDTH, position: 'relative' }}
          aria-label="Pipeline graph"
          aria-describedby="builder-graph-keys"
          role="region"
        >
          {taskCount === 0 ? (
            <Box p={4} textAlign="center">
              <Typography paragraph>This pipeline has no tasks yet.</Typography>
              <Button
                variant="contained"
                color="primary"
                disabled={!canEditGraph}
                onClick={() => setPicking({ type: 'root' })}
              >
                Add the first task
              </Button>
            </Box>
          ) : (
            <BuilderCanvas
              graph={graph}
              selected={selected}
              readOnly={!canEditGraph}
              onSelect={setSelected}
              onConnect={(from, to) => edit({ kind: 'connect', from, to })}
              onNotice={setNotice}
              onDisconnect={(from, to) =>
                edit({ kind: 'disconnect', from, to })
              }
              onRemove={name => {
                if (edit({ kind: 'removeTask', name }) && name === selected) {
                  setSelected(undefined);
                }
              }}
            />
          )}
          <Typography
            variant="caption"
            color="textSecondary"
            id="builder-graph-keys"
            style={{ position: 'absolute', left: 56, bottom: 8 }}
          >
            Drag from a task's right handle to another task to make it run
            after. Tab: next task · arrows: along the edges · Delete: remove the
            selected task or edge.
          </Typography>
        </Paper>
        {showYaml && (
          <PaneResizer
            label="Resize the YAML pane"
            controls="builder-yaml-pane"
            width={yamlWidth}
            min={YAML_MIN_WIDTH}
            max={maxYamlWidth}
            onResize={setYamlWidth}
            onCommit={width => layoutStorage.set('yamlWidth', width)}
          />
        )}
        {showYaml && (
          <Paper
            id="builder-yaml-pane"
            variant="outlined"
            className="nokey"
            style={{
              flex: `0 1 ${clampWidth(
                yamlWidth,
                YAML_MIN_WIDTH,
                maxYamlWidth,
              )}px`,
              minWidth: YAML_MIN_WIDTH,
              overflow: 'hidden',
            }}
          >
            <YamlEditor
              value={text}
              markers={markers}
              completionsAt={yamlCompletionsAt}
              readOnly={readOnly}
              onChange={next =>
                commit(recordText(historyRef.current, next, 'yaml'))
              }
            />
          </Paper>
        )}
        <Paper
          variant="outlined"
          className="nokey"
          style={{
            flex: '0 1 360px',
            minWidth: PANEL_MIN_WIDTH,
            overflow: 'auto',
            padding: 12,
          }}
          aria-label={selectedTask ? `Task ${selectedTask.name}` : 'Pipeline'}
          role="region"
        >
          <CompletionsContext.Provider value={completions}>
            {pipeline && selectedTask && (
              <TaskPanel
                key={selectedTask.name}
                task={selectedTask}
                isFinally={isFinally}
                pipeline={pipeline}
                summary={taskSummaries.find(
                  t => t.name === selectedTask.taskRef?.name,
                )}
                problems={problems.filter(p => p.task === selectedTask.name)}
                stepCompletions={stepCompletions}
                readOnly={readOnly}
                onRename={to => {
                  if (
                    to &&
                    edit({ kind: 'renameTask', from: selectedTask.name, to })
                  ) {
                    setSelected(to);
                  }
                }}
                onSet={onSetTask}
                onRunAfter={(from, add) =>
                  edit({
                    kind: add ? 'connect' : 'disconnect',
                    from,
                    to: selectedTask.name,
                  })
                }
              />
            )}
            {pipeline && !selectedTask && (
              <PipelinePanel
                pipeline={pipeline}
                isNew={subject.kind === 'new'}
                clusters={subject.kind === 'new' ? subject.clusters : undefined}
                location={location}
                onLocation={setLocation}
                problems={problems}
                readOnly={readOnly}
                onSet={onSetPipeline}
                onSelectTask={setSelected}
              />
            )}
            {!pipeline && (
              <>
                <Typography variant="h6">Problems</Typography>
                {parsed.problems.map((p, i) => (
                  <Typography key={i} variant="body2" color="error">
                    {p.line ? `Line ${p.line}: ` : ''}
                    {p.message}
                  </Typography>
                ))}
              </>
            )}
          </CompletionsContext.Provider>
        </Paper>
      </Box>
      <Dialog
        open={confirmingLeave}
        onClose={() => setConfirmingLeave(false)}
        aria-labelledby="builder-leave-title"
      >
        <DialogTitle id="builder-leave-title">
          Leave without saving?
        </DialogTitle>
        <DialogContent>
          <DialogContentText>
            Your changes to this pipeline are not saved. Leaving discards them.
          </DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button color="primary" onClick={() => setConfirmingLeave(false)}>
            Keep editing
          </Button>
          <Button
            onClick={() => {
              removeDraft(draft);
              leave();
            }}
          >
            Discard changes
          </Button>
        </DialogActions>
      </Dialog>
      {picking && (
        <TaskPicker
          title={pickerTitle(picking)}
          tasks={taskSummaries}
          loading={tasks.loading}
          tasksError={tasks.error ? errorMessage(tasks.error) : undefined}
          clusterErrors={tasks.value?.clusterErrors}
          storeTarget={
            where.cluster && where.namespace
              ? {
                  entityRef,
                  cluster: where.cluster,
                  namespace: where.namespace,
                }
              : undefined
          }
          onPick={addTask}
          onClose={() => setPicking(undefined)}
        />
      )}
    </Box>
  );
}
