import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import {
  TemplateStoreApi,
  templateStoreApiRef,
} from '@cairn/plugin-template-store-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { ResponseError } from '@backstage/errors';
import { EditorView } from '@codemirror/view';
import {
  closeCompletion,
  currentCompletions,
  startCompletion,
} from '@codemirror/autocomplete';
import { forEachDiagnostic } from '@codemirror/lint';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { ReactNode } from 'react';
import type { ApiRef } from '@backstage/core-plugin-api';
import userEvent from '@testing-library/user-event';
import { Link } from 'react-router-dom';
import {
  buildParamForm,
  buildPipelineGraph,
  parsePipelineYaml,
  Pipeline,
  PipelineTask,
} from '@cairn/plugin-pipelines-common';
import { FakePipelinesApi } from '../../__testUtils__/fakeApi';
import { pipelinesApiRef } from '../../api';
import { templateStoreRouteRef } from '../../routes';
import { PipelinesRouter } from '../PipelinesRouter';

/*
 * React Flow measures its container and nodes, which jsdom does not lay
 * out: give elements the size their style says, and the browser APIs it
 * calls.
 */
/** The width media queries see; jsdom has no viewport of its own. */
let viewportWidth = 1440;

beforeAll(() => {
  window.matchMedia = ((query: string) => {
    const minWidth = /min-width:\s*(\d+)px/.exec(query);
    return {
      matches: minWidth ? viewportWidth >= Number(minWidth[1]) : false,
      media: query,
      onchange: null,
      addListener: () => {},
      removeListener: () => {},
      addEventListener: () => {},
      removeEventListener: () => {},
      dispatchEvent: () => false,
    };
  }) as typeof window.matchMedia;
  class ResizeObserverStub {
    constructor(private readonly callback: ResizeObserverCallback) {}
    observe(target: Element) {
      this.callback(
        [{ target, contentRect: { width: 800, height: 600 } } as any],
        this as any,
      );
    }
    unobserve() {}
    disconnect() {}
  }
  (window as any).ResizeObserver = ResizeObserverStub;
  (window as any).DOMMatrixReadOnly = class {
    m22 = 1;
  };
  Object.defineProperties(window.HTMLElement.prototype, {
    offsetHeight: {
      configurable: true,
      get() {
        return parseFloat(this.style.height) || 600;
      },
    },
    offsetWidth: {
      configurable: true,
      get() {
        return parseFloat(this.style.width) || 800;
      },
    },
  });
  (window.SVGElement.prototype as any).getBBox = () => ({
    x: 0,
    y: 0,
    width: 0,
    height: 0,
  });
  // CodeMirror measures text ranges.
  const rects = () => {
    const list: any = [];
    list.item = () => null;
    return list;
  };
  (window.Range.prototype as any).getClientRects = rects;
  (window.Range.prototype as any).getBoundingClientRect = () =>
    new DOMRect(0, 0, 0, 0);
});

const entityRef = 'component:default/shop';

function pipelineObject(tasks: PipelineTask[], finallyTasks?: PipelineTask[]) {
  const pipeline: Pipeline = {
    apiVersion: 'tekton.dev/v1',
    kind: 'Pipeline',
    metadata: {
      name: 'build',
      namespace: 'shop',
      resourceVersion: '7',
      uid: 'u-1',
      labels: { 'backstage.io/kubernetes-id': 'shop' },
    },
    spec: {
      params: [{ name: 'revision', type: 'string', default: 'main' }],
      tasks,
      ...(finallyTasks ? { finally: finallyTasks } : {}),
    },
  };
  return pipeline;
}

const inlineStep = (script: string) => ({
  taskSpec: { steps: [{ name: 'run', image: 'alpine', script }] },
});

function loadedPipeline() {
  return pipelineObject(
    [
      {
        name: 'fetch',
        ...inlineStep('echo fetch'),
        taskSpec: {
          results: [{ name: 'commit' }],
          steps: [{ name: 'run', image: 'alpine', script: 'echo fetch' }],
        },
      },
      { name: 'lint', runAfter: ['fetch'], ...inlineStep('echo lint') },
      {
        name: 'test',
        params: [{ name: 'commit', value: '$(tasks.fetch.results.commit)' }],
        taskSpec: {
          params: [{ name: 'commit' }],
          steps: [{ name: 'run', image: 'alpine', script: 'echo test' }],
        },
      },
    ],
    [{ name: 'report', ...inlineStep('echo report') }],
  );
}

function fakeApi(pipeline = loadedPipeline()) {
  const api = new FakePipelinesApi();
  api.definitions['dev/shop/build'] = {
    cluster: 'dev',
    namespace: 'shop',
    name: 'build',
    resourceVersion: '7',
    pipeline,
  };
  api.tasks = {
    items: [
      {
        name: 'git-clone',
        namespace: 'shop',
        cluster: 'dev',
        description: 'Clones a git repository',
        params: [
          { name: 'url', type: 'string', required: true },
          {
            name: 'depth',
            type: 'string',
            required: false,
            default: '1',
            initialValue: '1',
          },
        ],
        workspaces: [{ name: 'output', optional: false }],
        results: [{ name: 'commit' }],
        task: {
          apiVersion: 'tekton.dev/v1',
          kind: 'Task',
          metadata: { name: 'git-clone', namespace: 'shop' },
          spec: {
            params: [
              { name: 'url', type: 'string' },
              { name: 'depth', type: 'string', default: '1' },
            ],
            workspaces: [{ name: 'output' }],
            results: [{ name: 'commit' }],
            steps: [{ name: 'clone', image: 'git' }],
          },
        },
      },
    ],
    clusterErrors: [],
  };
  return api;
}

async function render(
  api: FakePipelinesApi,
  route = '/builder/dev/shop/build',
  permission = mockApis.permission(),
  entity = entityRef,
  /** Rendered beside the plugin, e.g. links elsewhere in the app. */
  beside?: ReactNode,
  /** APIs of other plugins the app has, e.g. the template store's. */
  appApis: Array<readonly [ApiRef<any>, any]> = [],
  /** Routes the app mounts, e.g. where the template store is. */
  mountedRoutes: Record<string, any> = {},
) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        ...appApis,
        [pipelinesApiRef, api],
        [permissionApiRef, permission],
        [
          catalogApiRef,
          {
            getEntityByRef: async () => ({
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: {
                name: 'shop',
                namespace: 'default',
                annotations: { 'backstage.io/kubernetes-id': 'shop' },
              },
            }),
          },
        ],
      ]}
    >
      {beside}
      <PipelinesRouter entityRef={entity} />
    </TestApiProvider>,
    { routeEntries: [route], mountedRoutes },
  );
}

function yamlView(): EditorView {
  const dom = screen
    .getByTestId('yaml-editor')
    .querySelector<HTMLElement>('.cm-editor');
  return EditorView.findFromDOM(dom!)!;
}

/** The pipeline the YAML view shows. */
function shownPipeline(): Pipeline {
  const { pipeline, problems } = parsePipelineYaml(
    yamlView().state.doc.toString(),
  );
  expect(problems).toEqual([]);
  return pipeline!;
}

function task(pipeline: Pipeline, name: string) {
  return [
    ...(pipeline.spec.tasks ?? []),
    ...(pipeline.spec.finally ?? []),
  ].find(t => t.name === name);
}

/** A key pressed and released, as a keyboard does (React Flow tracks held keys). */
function press(element: Element, key: string) {
  fireEvent.keyDown(element, { key });
  fireEvent.keyUp(element, { key });
}

const node = (name: string) => screen.queryByTestId(`builder-node-${name}`);

async function addTask(placement: RegExp | undefined, pick: RegExp) {
  fireEvent.click(screen.getByRole('button', { name: /Add (first )?task/ }));
  if (placement) {
    fireEvent.click(await screen.findByRole('menuitem', { name: placement }));
  }
  const dialog = await screen.findByRole('dialog');
  fireEvent.click(within(dialog).getByText(pick));
  await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
}

// Rendering React Flow and CodeMirror in jsdom takes seconds per test, and
// the longest flows (several renders of the whole builder) over 30 s when the
// machine is shared; the bound only stops a hung test, it times nothing.
jest.setTimeout(90_000);

describe('PipelineBuilder', () => {
  // Drafts of unsaved work stay in the tab's sessionStorage.
  afterEach(() => window.sessionStorage.clear());

  it('shows the loaded pipeline as a graph: tasks, the finally lane, and its YAML without server fields', async () => {
    await render(fakeApi());
    expect(await screen.findByTestId('builder-node-fetch')).toBeInTheDocument();
    for (const name of ['lint', 'test', 'report']) {
      expect(node(name)).toBeInTheDocument();
    }
    expect(
      screen.getByText('finally — runs after all tasks'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: /Finally task report \(inline task/ }),
    ).toBeInTheDocument();
    const text = yamlView().state.doc.toString();
    expect(text).not.toMatch(/resourceVersion|uid:/);
    expect(shownPipeline().spec.tasks?.map(t => t.name)).toEqual([
      'fetch',
      'lint',
      'test',
    ]);
  });

  it('adds a task in parallel with the selected one, then one after it from the namespace Tasks; undo and redo step through them', async () => {
    await render(fakeApi());
    fireEvent.click(await screen.findByTestId('builder-node-lint'));
    await addTask(/In parallel/, /^Inline task$/);
    await waitFor(() => expect(node('task')).toBeInTheDocument());
    expect(task(shownPipeline(), 'task')?.runAfter).toEqual(['fetch']);

    // The new task is selected: add a Task after it.
    expect(
      screen.getByRole('region', { name: 'Task task' }),
    ).toBeInTheDocument();
    await addTask(/After the selected/, /Clones a git repository/);
    await waitFor(() => expect(node('git-clone')).toBeInTheDocument());
    expect(task(shownPipeline(), 'git-clone')).toMatchObject({
      taskRef: { name: 'git-clone' },
      runAfter: ['task'],
    });

    fireEvent.click(screen.getByRole('button', { name: 'Undo' }));
    await waitFor(() => expect(node('git-clone')).toBeNull());
    expect(task(shownPipeline(), 'git-clone')).toBeUndefined();
    fireEvent.keyDown(screen.getByRole('region', { name: 'Pipeline graph' }), {
      key: 'z',
      ctrlKey: true,
    });
    await waitFor(() => expect(node('task')).toBeNull());
    fireEvent.keyDown(screen.getByRole('region', { name: 'Pipeline graph' }), {
      key: 'Z',
      ctrlKey: true,
      shiftKey: true,
    });
    await waitFor(() => expect(node('task')).toBeInTheDocument());
    fireEvent.click(screen.getByRole('button', { name: 'Redo' }));
    await waitFor(() => expect(node('git-clone')).toBeInTheDocument());
  });

  it('connects tasks from the task panel and refuses a connection that makes a cycle, saying why', async () => {
    await render(fakeApi());
    fireEvent.click(await screen.findByTestId('builder-node-test'));
    fireEvent.mouseDown(screen.getByLabelText('Runs after'));
    fireEvent.click(await screen.findByRole('option', { name: 'lint' }));
    await waitFor(() =>
      expect(task(shownPipeline(), 'test')?.runAfter).toEqual(['lint']),
    );
    fireEvent.keyDown(screen.getByRole('listbox'), { key: 'Escape' });

    fireEvent.click(screen.getByTestId('builder-node-fetch'));
    await screen.findByRole('region', { name: 'Task fetch' });
    fireEvent.mouseDown(screen.getByLabelText('Runs after'));
    fireEvent.click(await screen.findByRole('option', { name: 'lint' }));
    expect(await screen.findByText(/cycle/i)).toBeInTheDocument();
    expect(task(shownPipeline(), 'fetch')?.runAfter).toBeUndefined();
  });

  it('is usable by keyboard: arrow keys move along the edges, Delete removes the selected task', async () => {
    await render(fakeApi());
    const fetch = await screen.findByRole('button', { name: /^Task fetch/ });
    fetch.focus();
    press(fetch, 'ArrowRight');
    // fetch's successors are lint (runAfter) and test (its result).
    await waitFor(() =>
      expect(document.activeElement).toHaveAccessibleName(/^Task (lint|test) /),
    );
    const next = document.activeElement!.getAttribute('data-id')!;
    expect(
      screen.getByRole('region', { name: `Task ${next}` }),
    ).toBeInTheDocument();
    press(document.activeElement!, 'Delete');
    await waitFor(() => expect(node(next)).toBeNull());
    expect(task(shownPipeline(), next)).toBeUndefined();
  });

  it('disconnects a runAfter edge with Delete, and explains that a result edge goes with its reference', async () => {
    await render(fakeApi());
    await screen.findByTestId('builder-node-fetch');
    const resultEdge = await screen.findByTestId('rf__edge-result:fetch->test');
    fireEvent.click(resultEdge);
    expect(
      await screen.findByText(
        /test uses a result of fetch, so it runs after it/,
      ),
    ).toBeInTheDocument();

    const runAfterEdge = screen.getByTestId('rf__edge-runAfter:fetch->lint');
    expect(runAfterEdge).toHaveAccessibleName('lint runs after fetch');
    // (React Flow re-renders edges when the selection changes: query them anew.)
    // Picking the edge unpicks the task selected before: Delete removes only the edge.
    fireEvent.click(screen.getByTestId('builder-node-lint'));
    fireEvent.click(screen.getByTestId('rf__edge-runAfter:fetch->lint'));
    press(screen.getByTestId('rf__edge-runAfter:fetch->lint'), 'Delete');
    await waitFor(() =>
      expect(task(shownPipeline(), 'lint')?.runAfter).toBeUndefined(),
    );
    expect(node('lint')).toBeInTheDocument();
    expect(screen.queryByTestId('rf__edge-runAfter:fetch->lint')).toBeNull();
  });

  it('updates the graph from typed YAML, and keeps the last valid graph while the YAML does not parse', async () => {
    await render(fakeApi());
    await screen.findByTestId('builder-node-fetch');
    const view = yamlView();
    const text = view.state.doc.toString();
    const at = text.indexOf('  finally:');
    view.dispatch({
      changes: {
        from: at,
        insert: [
          '    - name: deploy',
          '      runAfter: [lint, test]',
          '      taskSpec:',
          '        steps:',
          '          - name: run',
          '            image: alpine',
          '            script: echo deploy',
          '',
        ].join('\n'),
      },
    });
    await waitFor(() => expect(node('deploy')).toBeInTheDocument());

    view.dispatch({ changes: { from: 0, insert: 'spec: [\n' } });
    expect(
      await screen.findByText(/does not parse as a Pipeline/),
    ).toBeInTheDocument();
    expect(node('deploy')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled();
    expect(screen.getByText('Fix the YAML to save')).toBeInTheDocument();
  });

  it('offers a pasted tekton.dev/v1beta1 Pipeline converted to v1 as Tekton converts it; Undo takes it back', async () => {
    await render(fakeApi());
    await screen.findByTestId('builder-node-fetch');
    const view = yamlView();
    const pasted = [
      'apiVersion: tekton.dev/v1beta1',
      'kind: Pipeline',
      'metadata:',
      '  name: build',
      'spec:',
      '  workspaces:',
      '    - name: shared',
      '  tasks:',
      '    - name: clone',
      '      taskRef:',
      '        name: git-clone',
      '      workspaces: [{name: output, workspace: shared}]',
      '    - name: unit',
      '      runAfter: [clone]',
      '      taskSpec:',
      '        steps:',
      '          - name: test',
      '            image: golang',
      '            resources: {limits: {memory: 1Gi}}',
      '            script: go test ./...',
      '',
    ].join('\n');
    view.dispatch({
      changes: { from: 0, to: view.state.doc.length, insert: pasted },
    });
    expect(
      await screen.findByText(/This Pipeline is tekton.dev\/v1beta1/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/does not parse as a Pipeline/),
    ).toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: 'Convert to v1' }));
    await waitFor(() => expect(node('unit')).toBeInTheDocument());
    const converted = shownPipeline();
    expect(converted.apiVersion).toBe('tekton.dev/v1');
    expect(task(converted, 'clone')?.taskRef).toEqual({ name: 'git-clone' });
    expect(task(converted, 'unit')?.taskSpec?.steps?.[0]).toMatchObject({
      computeResources: { limits: { memory: '1Gi' } },
    });
    expect(
      screen.queryByText(/This Pipeline is tekton.dev\/v1beta1/),
    ).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Undo' }));
    await waitFor(() => expect(view.state.doc.toString()).toBe(pasted));
  });

  it('says why a pasted v1beta1 Pipeline with PipelineResources or a bundle does not convert', async () => {
    await render(fakeApi());
    await screen.findByTestId('builder-node-fetch');
    const view = yamlView();
    view.dispatch({
      changes: {
        from: 0,
        to: view.state.doc.length,
        insert: [
          'apiVersion: tekton.dev/v1beta1',
          'kind: Pipeline',
          'metadata: {name: build}',
          'spec:',
          '  resources: [{name: repo, type: git}]',
          '  tasks:',
          '    - name: build',
          '      taskRef: {name: kaniko}',
          '      resources: {inputs: [{name: source, resource: repo}]}',
          '    - name: clone',
          '      taskRef: {name: git-clone, bundle: ghcr.io/acme/git-clone:0.9}',
          '',
        ].join('\n'),
      },
    });
    expect(
      await screen.findByText(/does not convert to tekton.dev\/v1/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /^spec.tasks\[0\].resources: PipelineResources were removed/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /^spec.tasks\[1\].taskRef.bundle: bundle was removed from Tekton \(v0.61\)/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Convert to v1' }),
    ).not.toBeInTheDocument();
  });

  it('shows problems on the node and in the panel, and they block saving', async () => {
    const pipeline = loadedPipeline();
    (pipeline.spec.tasks![1].taskSpec!.steps![0] as any).image = undefined;
    await render(fakeApi(pipeline));
    const lint = await screen.findByTestId('builder-node-lint');
    expect(within(lint).getByText(/1 error/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled();
    expect(screen.getByText(/Fix 1 problem to save/)).toBeInTheDocument();

    // The YAML view marks it inside the lint task.
    const state = yamlView().state;
    const marked: Array<{ line: number; message: string }> = [];
    forEachDiagnostic(state, (d, from) =>
      marked.push({ line: state.doc.lineAt(from).number, message: d.message }),
    );
    const lineOf = (text: string) =>
      state.doc.lineAt(state.doc.toString().indexOf(text)).number;
    expect(marked).toHaveLength(1);
    expect(marked[0].message).toMatch(/image/i);
    expect(marked[0].line).toBeGreaterThan(lineOf('- name: lint'));
    expect(marked[0].line).toBeLessThan(lineOf('- name: test'));

    fireEvent.click(lint);
    const panel = await screen.findByRole('region', { name: 'Task lint' });
    expect(
      within(panel).getByRole('list', { name: 'Problems' }),
    ).toHaveTextContent(/image/i);
    fireEvent.change(within(panel).getByLabelText(/^Image of step/), {
      target: { value: 'alpine' },
    });
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Save' })).toBeEnabled(),
    );
  });

  it("flags fields Tekton does not have, as its strict decoding refuses them, in the YAML view and the pipeline's problems", async () => {
    await render(fakeApi());
    await screen.findByTestId('builder-node-fetch');
    const view = yamlView();
    const text = view.state.doc.toString();
    view.dispatch({
      changes: { from: text.indexOf('  tasks:'), insert: '  bogus: 1\n' },
    });
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled(),
    );
    const state = yamlView().state;
    const marked: Array<{ line: string; message: string }> = [];
    forEachDiagnostic(state, (d, from) =>
      marked.push({ line: state.doc.lineAt(from).text, message: d.message }),
    );
    expect(marked).toEqual([
      {
        line: '  bogus: 1',
        message: expect.stringMatching(/^unknown field "spec\.bogus"/),
      },
    ]);
    expect(screen.getByRole('list', { name: 'Problems' })).toHaveTextContent(
      'unknown field "spec.bogus"',
    );
  });

  it('saves with the loaded resourceVersion; a concurrent change is reported and Reload loads theirs, Undo brings mine back', async () => {
    const api = fakeApi();
    await render(api);
    await screen.findByTestId('builder-node-fetch');
    fireEvent.change(screen.getByLabelText('Pipeline description'), {
      target: { value: 'Builds the shop' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(screen.getByText('All changes saved')).toBeInTheDocument(),
    );
    const saved = api.calls.find(c => c.method === 'updatePipeline')!;
    expect(saved.args[2]).toMatchObject({
      resourceVersion: '7',
      pipeline: { spec: { description: 'Builds the shop' } },
    });

    // Someone else saves in between.
    api.definitions['dev/shop/build'] = {
      ...api.definitions['dev/shop/build'],
      resourceVersion: '12',
      pipeline: {
        ...loadedPipeline(),
        spec: { ...loadedPipeline().spec, description: 'Theirs' },
      },
    };
    api.failWith = await ResponseError.fromResponse({
      ok: false,
      status: 409,
      statusText: 'Conflict',
      headers: new Headers({ 'content-type': 'application/json' }),
      redirected: false,
      type: 'basic',
      url: 'http://localhost/api/pipelines/pipelines/dev/shop/build',
      text: async () =>
        JSON.stringify({
          error: {
            name: 'ConflictError',
            message: 'pipeline "build" was changed by someone else',
          },
        }),
    });
    fireEvent.change(screen.getByLabelText('Pipeline description'), {
      target: { value: 'Mine' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(
      await screen.findByText(/changed by someone else since you loaded it/),
    ).toBeInTheDocument();
    expect(shownPipeline().spec.description).toBe('Mine');

    api.failWith = undefined;
    fireEvent.click(screen.getByRole('button', { name: 'Reload' }));
    await waitFor(() =>
      expect(shownPipeline().spec.description).toBe('Theirs'),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Undo' }));
    await waitFor(() => expect(shownPipeline().spec.description).toBe('Mine'));
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(api.calls.filter(c => c.method === 'updatePipeline')).toHaveLength(
        3,
      ),
    );
    expect(
      api.calls.filter(c => c.method === 'updatePipeline')[2].args[2],
    ).toMatchObject({ resourceVersion: '12' });
  });

  it('Save and run saves, then opens the start form of the saved pipeline', async () => {
    const api = fakeApi();
    api.pipelines = {
      items: [
        {
          entityRef,
          cluster: 'dev',
          namespace: 'shop',
          name: 'build',
          params: buildParamForm([
            { name: 'revision', type: 'string', default: 'main' },
          ]),
          workspaces: [],
          serviceAccounts: [],
          graph: buildPipelineGraph(loadedPipeline().spec),
        },
      ],
      clusterErrors: [],
    };
    await render(api);
    await screen.findByTestId('builder-node-fetch');
    fireEvent.change(screen.getByLabelText('Pipeline description'), {
      target: { value: 'Builds the shop' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Save and run' }));
    const title = await screen.findByText('Start build');
    const dialog = title.closest<HTMLElement>('[role="dialog"]')!;
    expect(api.calls.map(c => c.method)).toContain('updatePipeline');
    expect(within(dialog).getByLabelText('revision')).toHaveValue('main');
  });

  it('says in words, not with a spinner, that the namespace has no Tasks to pick', async () => {
    const api = fakeApi();
    api.tasks = { items: [], clusterErrors: [] };
    await render(api, '/builder/new');
    fireEvent.click(screen.getByRole('button', { name: /Add (first )?task/ }));
    const dialog = await screen.findByRole('dialog');
    expect(
      await within(dialog).findByText(
        'The namespace has no Tasks; add an inline task.',
      ),
    ).toBeInTheDocument();
    expect(within(dialog).queryByRole('progressbar')).toBeNull();
    expect(within(dialog).getByText(/^Inline task$/)).toBeInTheDocument();
  });

  it('creates a new pipeline in the chosen cluster and namespace, labelled for the entity', async () => {
    const api = fakeApi();
    api.targets = { clusters: ['dev', 'prod'], namespace: 'shop' };
    await render(api, '/builder/new');
    await addTask(undefined, /^Inline task$/);
    const panel = await screen.findByRole('region', { name: 'Task task' });
    fireEvent.change(within(panel).getByLabelText(/^Image of step/), {
      target: { value: 'alpine' },
    });
    fireEvent.change(within(panel).getByLabelText(/^Script of step/), {
      target: { value: 'echo test' },
    });
    fireEvent.click(screen.getByRole('region', { name: 'Pipeline graph' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(api.calls.map(c => c.method)).toContain('createPipeline'),
    );
    const [, request] = api.calls.find(c => c.method === 'createPipeline')!
      .args as any[];
    expect(request).toMatchObject({
      cluster: 'dev',
      namespace: 'shop',
      pipeline: {
        metadata: {
          name: 'shop-pipeline',
          labels: { 'backstage.io/kubernetes-id': 'shop' },
        },
        spec: {
          tasks: [
            {
              name: 'task',
              taskSpec: {
                steps: [{ name: 'run', image: 'alpine', script: 'echo test' }],
              },
            },
          ],
        },
      },
    });
    // Saved: the builder now edits the created pipeline.
    await waitFor(() =>
      expect(api.calls.map(c => c.method)).toContain('getPipeline'),
    );
  });

  it('at 1024 pixels wide shows graph and panel, and the YAML view on demand', async () => {
    viewportWidth = 1024;
    try {
      await render(fakeApi());
      await screen.findByTestId('builder-node-fetch');
      expect(screen.queryByTestId('yaml-editor')).toBeNull();
      fireEvent.click(screen.getByLabelText('YAML'));
      expect(await screen.findByTestId('yaml-editor')).toBeInTheDocument();
      expect(shownPipeline().metadata.name).toBe('build');
    } finally {
      viewportWidth = 1440;
    }
  });

  it('offers results of referenced Tasks, and in an inline task’s steps its own params, results and the TaskRun’s context', async () => {
    await render(
      fakeApi(
        pipelineObject([
          { name: 'clone', taskRef: { name: 'git-clone' } },
          {
            name: 'build',
            params: [{ name: 'commit', value: '' }],
            taskSpec: {
              params: [{ name: 'commit' }],
              results: [{ name: 'digest' }],
              steps: [{ name: 'run', image: 'alpine', script: '' }],
            },
          },
        ]),
      ),
    );
    fireEvent.click(await screen.findByTestId('builder-node-build'));
    const panel = await screen.findByRole('region', { name: 'Task build' });
    const type = (input: HTMLElement, value: string) =>
      fireEvent.change(input, {
        target: { value, selectionStart: value.length },
      });
    const offered = async () =>
      (await screen.findAllByRole('option')).map(
        o => o.querySelector('span')!.textContent,
      );

    // A param value of the task: git-clone's declared result.
    const commit = within(panel).getByLabelText('commit');
    type(commit, '$(tasks.');
    expect(await offered()).toEqual(['$(tasks.clone.results.commit)']);
    fireEvent.keyDown(commit, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('option')).toBeNull());

    // A step's script: what the TaskRun of the inline task sees.
    const script = within(panel).getByLabelText('Script of step run');
    type(script, 'echo $(params.');
    expect(await offered()).toEqual(['$(params.commit)', '$(params.revision)']);
    type(script, 'echo x > $(');
    const inScript = await offered();
    expect(inScript).toEqual(
      expect.arrayContaining([
        '$(results.digest.path)',
        '$(context.taskRun.name)',
      ]),
    );
    expect(inScript).not.toContain('$(tasks.clone.results.commit)');
    fireEvent.keyDown(script, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('option')).toBeNull());

    // A step's image: Tekton substitutes params there too.
    const image = within(panel).getByLabelText('Image of step run');
    type(image, '$(params.');
    expect(await offered()).toEqual(['$(params.commit)', '$(params.revision)']);
  });

  it('offers in the YAML view what the place at the caret may use: in a step, in a finally task, at pipeline level', async () => {
    await render(fakeApi());
    await screen.findByTestId('builder-node-fetch');
    const view = yamlView();
    /** Types `typed` (and `rest` after the caret) after the first `after` in the text; what completion offers there. */
    const offeredAfter = async (after: string, typed: string, rest = '') => {
      closeCompletion(view);
      const at = view.state.doc.toString().indexOf(after) + after.length;
      view.dispatch({
        changes: { from: at, insert: typed + rest },
        selection: { anchor: at + typed.length },
      });
      startCompletion(view);
      let labels: string[] = [];
      await waitFor(() => {
        labels = currentCompletions(view.state).map(c => c.label);
        expect(labels.length).toBeGreaterThan(0);
      });
      return labels;
    };

    // In the step of test's inline task: its own param and the TaskRun's context.
    const inStep = await offeredAfter('echo test', ' $(');
    expect(inStep).toEqual(
      expect.arrayContaining(['$(params.commit)', '$(context.taskRun.name)']),
    );
    expect(inStep).not.toContain('$(tasks.fetch.results.commit)');

    // In the finally task report: the status of the other tasks.
    const inFinally = await offeredAfter(
      '- name: report\n',
      '      displayName: $(',
      '\n',
    );
    expect(inFinally).toEqual(
      expect.arrayContaining([
        '$(tasks.status)',
        '$(tasks.lint.status)',
        '$(tasks.fetch.results.commit)',
      ]),
    );
    expect(inFinally).not.toContain('$(context.taskRun.name)');

    // Outside the tasks: every task's results, no task's context.
    const inPipeline = await offeredAfter('name: build', ' $(');
    expect(inPipeline).toContain('$(tasks.fetch.results.commit)');
    expect(inPipeline).not.toContain('$(tasks.status)');
    expect(inPipeline).not.toContain('$(context.taskRun.name)');
  });

  it('sets the task’s onError beside retries and timeout; continue with retries is a problem in Tekton’s words', async () => {
    await render(fakeApi());
    fireEvent.click(await screen.findByTestId('builder-node-lint'));
    const panel = await screen.findByRole('region', { name: 'Task lint' });
    fireEvent.mouseDown(within(panel).getByLabelText('Task on error'));
    fireEvent.click(await screen.findByRole('option', { name: 'continue' }));
    await waitFor(() =>
      expect(task(shownPipeline(), 'lint')?.onError).toBe('continue'),
    );

    fireEvent.change(within(panel).getByLabelText('Retries'), {
      target: { value: '2' },
    });
    await waitFor(() =>
      expect(
        within(panel).getByRole('list', { name: 'Problems' }),
      ).toHaveTextContent(
        'PipelineTask OnError cannot be set to "continue" when Retries is greater than 0',
      ),
    );
    expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled();

    fireEvent.mouseDown(within(panel).getByLabelText('Task on error'));
    fireEvent.click(await screen.findByRole('option', { name: 'not set' }));
    await waitFor(() =>
      expect(task(shownPipeline(), 'lint')?.onError).toBeUndefined(),
    );
    expect(screen.getByRole('button', { name: 'Save' })).toBeEnabled();
  });

  it('warns before leaving with unsaved changes: on unloading the page, and on Back to pipelines', async () => {
    const api = fakeApi();
    await render(api);
    await screen.findByTestId('builder-node-fetch');
    const unload = () => {
      const event = new Event('beforeunload', { cancelable: true });
      window.dispatchEvent(event);
      return event.defaultPrevented;
    };
    expect(unload()).toBe(false);

    fireEvent.change(screen.getByLabelText('Pipeline description'), {
      target: { value: 'Builds the shop' },
    });
    await screen.findByText('Unsaved changes');
    expect(unload()).toBe(true);

    fireEvent.click(screen.getByRole('button', { name: 'Back to pipelines' }));
    const dialog = await screen.findByRole('dialog', {
      name: 'Leave without saving?',
    });
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Keep editing' }),
    );
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(shownPipeline().spec.description).toBe('Builds the shop');

    // Saved: nothing to warn about.
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('All changes saved');
    expect(unload()).toBe(false);

    fireEvent.change(screen.getByLabelText('Pipeline description'), {
      target: { value: 'Builds and tests the shop' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Back to pipelines' }));
    fireEvent.click(
      within(
        await screen.findByRole('dialog', { name: 'Leave without saving?' }),
      ).getByRole('button', { name: 'Discard changes' }),
    );
    await waitFor(() => expect(node('fetch')).toBeNull());
    expect(
      screen.queryByRole('button', { name: 'Back to pipelines' }),
    ).toBeNull();
    // Gone with the builder, the unload warning too.
    expect(unload()).toBe(false);
  });

  it('offers unsaved work back after leaving by an in-app link; Restore is a step Undo takes back, Discard and Save forget it', async () => {
    const api = fakeApi();
    await render(
      api,
      undefined,
      undefined,
      undefined,
      <nav>
        <Link to="/">Elsewhere</Link>
        <Link to="/builder/dev/shop/build">Edit build</Link>
      </nav>,
    );
    await screen.findByTestId('builder-node-fetch');
    const leaveAndReturn = async () => {
      fireEvent.click(screen.getByRole('link', { name: 'Elsewhere' }));
      await waitFor(() => expect(node('fetch')).toBeNull());
      fireEvent.click(screen.getByRole('link', { name: 'Edit build' }));
      await screen.findByTestId('builder-node-fetch');
    };
    const setDescription = (value: string) =>
      fireEvent.change(screen.getByLabelText('Pipeline description'), {
        target: { value },
      });
    const restore = () => screen.queryByRole('button', { name: 'Restore' });

    await leaveAndReturn();
    expect(restore()).toBeNull();

    setDescription('Builds the shop');
    await screen.findByText('Unsaved changes');
    await leaveAndReturn();
    expect(shownPipeline().spec.description).toBeUndefined();
    expect(
      screen.getByText(/Restore your unsaved changes\?/),
    ).toBeInTheDocument();
    fireEvent.click(restore()!);
    await waitFor(() =>
      expect(shownPipeline().spec.description).toBe('Builds the shop'),
    );
    expect(restore()).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Undo' }));
    await waitFor(() =>
      expect(shownPipeline().spec.description).toBeUndefined(),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Redo' }));

    // Leaving before choosing keeps the offer; Discard forgets it.
    await leaveAndReturn();
    expect(restore()).toBeInTheDocument();
    await leaveAndReturn();
    fireEvent.click(screen.getByRole('button', { name: 'Discard' }));
    expect(restore()).toBeNull();
    await leaveAndReturn();
    expect(restore()).toBeNull();

    // Saved work is not offered again.
    setDescription('Builds and tests the shop');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('All changes saved');
    expect(api.definitions['dev/shop/build'].pipeline.spec.description).toBe(
      'Builds and tests the shop',
    );
    await leaveAndReturn();
    expect(restore()).toBeNull();
    expect(shownPipeline().spec.description).toBe('Builds and tests the shop');
  });

  it('offers Save to store only when the app has the template store, and publishes the YAML as a Pipeline template', async () => {
    // Without the store: no action.
    const withoutStore = await render(fakeApi());
    expect(await screen.findByTestId('builder-node-fetch')).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Save to store' }),
    ).not.toBeInTheDocument();
    withoutStore.unmount();

    const published: Array<{ owner: string; version: string; yaml: string }> =
      [];
    const store: Partial<TemplateStoreApi> = {
      getTemplate: async (kind, name) =>
        ({
          kind,
          name,
          owner: 'group:default/team-a',
          versions: [{ version: '1.0' }],
        } as any),
      publish: async request => {
        published.push(request as any);
        return {
          kind: 'Pipeline',
          name: 'build',
          version: request.version,
        } as any;
      },
    };
    // The app mounts the store elsewhere than /templates and binds the
    // builder's external route to it.
    await render(
      fakeApi(),
      undefined,
      undefined,
      undefined,
      undefined,
      [[templateStoreApiRef, store]],
      { '/ci/store': templateStoreRouteRef },
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Save to store' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByLabelText('Template name')).toHaveValue('build');
    await waitFor(() =>
      expect(within(dialog).getByLabelText('Version')).toHaveValue('1.0.1'),
    );
    await userEvent.type(
      within(dialog).getByLabelText('Owner group'),
      'group:default/team-a',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Publish' }),
    );
    expect(
      await within(dialog).findByRole('link', {
        name: 'open its page in the template store',
      }),
    ).toHaveAttribute('href', '/ci/store/Pipeline/build');
    expect(published).toEqual([
      {
        owner: 'group:default/team-a',
        version: '1.0.1',
        yaml: expect.stringMatching(
          /kind: Pipeline\nmetadata:\n {2}name: build\n/,
        ),
      },
    ]);
  });

  it('leaves without asking when nothing changed', async () => {
    await render(fakeApi());
    await screen.findByTestId('builder-node-fetch');
    fireEvent.click(screen.getByRole('button', { name: 'Back to pipelines' }));
    await waitFor(() => expect(node('fetch')).toBeNull());
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('shows the pipeline read-only when the user may not edit it', async () => {
    await render(
      fakeApi(),
      '/builder/dev/shop/build',
      mockApis.permission({ authorize: 'DENY' as any }),
      // Another entity: usePermission caches decisions per entity across renders.
      'component:default/locked',
    );
    await screen.findByTestId('builder-node-fetch');
    expect(
      await screen.findByText(/You may view this pipeline but not edit it/),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /Add task/ })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled();
  });
});
