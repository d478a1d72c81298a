import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import {
  TemplateStoreApi,
  templateStoreApiRef,
} from '@cairn/plugin-template-store-react';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { PickedTask, TaskPicker } from './TaskPicker';

describe('TaskPicker', () => {
  it("says the cluster's Tasks are missing instead of claiming the namespace has none", async () => {
    await renderInTestApp(
      <TaskPicker
        title="Add a task"
        tasks={[]}
        loading={false}
        clusterErrors={[
          { cluster: 'dev', message: 'connect ECONNREFUSED 127.0.0.1:6443' },
        ]}
        onPick={() => {}}
        onClose={() => {}}
      />,
    );
    expect(
      await screen.findByText(/Tasks of 1 cluster\(s\) are missing/),
    ).toBeInTheDocument();
    expect(screen.getByText(/ECONNREFUSED/)).toBeInTheDocument();
    expect(
      screen.queryByText('The namespace has no Tasks; add an inline task.'),
    ).not.toBeInTheDocument();
    // An inline task needs no cluster: it stays on offer.
    expect(screen.getByText('Inline task')).toBeInTheDocument();
  });

  it('says when the namespace has no Tasks', async () => {
    await renderInTestApp(
      <TaskPicker
        title="Add a task"
        tasks={[]}
        loading={false}
        clusterErrors={[]}
        onPick={() => {}}
        onClose={() => {}}
      />,
    );
    expect(
      await screen.findByText(
        'The namespace has no Tasks; add an inline task.',
      ),
    ).toBeInTheDocument();
  });
});

describe('TaskPicker with the template store', () => {
  const yaml = `apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: git-clone
spec:
  params:
    - name: url
      description: The repository to clone
    - name: revision
      default: main
  steps:
    - name: clone
      image: alpine/git
`;
  const version = {
    kind: 'Task' as const,
    name: 'git-clone',
    version: '0.9',
    apiVersion: 'tekton.dev/v1',
    digest: `sha256:${'c'.repeat(64)}`,
    deprecated: false,
    createdBy: 'user:default/pia',
    createdAt: '2026-12-07T10:00:00.000Z',
    yaml,
    docs: {
      kind: 'Task' as const,
      apiVersion: 'tekton.dev/v1',
      name: 'git-clone',
      categories: [],
      tags: [],
      platforms: [],
      params: [
        {
          name: 'url',
          type: 'string',
          description: 'The repository to clone',
        },
        { name: 'revision', type: 'string', default: 'main' },
      ],
      results: [],
      workspaces: [],
    },
  };
  const summary = {
    kind: 'Task' as const,
    name: 'git-clone',
    owner: 'group:default/platform',
    description: 'Clones a repository.',
    categories: [],
    tags: ['git'],
    platforms: [],
    latestVersion: '0.9',
    stars: 0,
    starred: false,
    usage: 0,
    updatedAt: '2026-12-07T10:00:00.000Z',
  };
  const store = (installs: unknown[]): Partial<TemplateStoreApi> => ({
    listTemplates: async query => {
      const items = 'git-clone'.includes(query.search ?? '') ? [summary] : [];
      return { items, totalCount: items.length };
    },
    getTemplate: async () => ({ ...summary, versions: [version] }),
    getVersion: async () => version,
    install: async (kind, name, v, request) => {
      installs.push(request);
      return {
        outcome: request.dryRun ? 'preview' : 'created',
        cluster: request.cluster,
        namespace: request.namespace,
        kind,
        name,
        version: v,
        object: {},
      };
    },
  });
  const target = {
    entityRef: 'component:default/payments-api',
    cluster: 'dev',
    namespace: 'shop',
  };
  const renderPicker = async (
    installs: unknown[],
    onPick: (picked: PickedTask) => void,
  ) =>
    renderInTestApp(
      <TestApiProvider
        apis={[
          [templateStoreApiRef, store(installs)],
          [catalogApiRef, catalogApiMock()],
        ]}
      >
        <TaskPicker
          title="Add a task"
          tasks={[]}
          loading={false}
          clusterErrors={[]}
          storeTarget={target}
          onPick={onPick}
          onClose={() => {}}
        />
      </TestApiProvider>,
    );

  it('embeds a store Task found by the search, with its params pre-filled', async () => {
    const picked: PickedTask[] = [];
    await renderPicker([], p => picked.push(p));
    await userEvent.type(screen.getByLabelText('Search Tasks'), 'git');
    await userEvent.click(await screen.findByText('git-clone (store)'));
    expect(await screen.findByText(/url\* \(string\)/)).toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', { name: 'Embed as taskSpec' }),
    );
    expect(picked).toEqual([
      {
        kind: 'store',
        task: expect.objectContaining({
          name: 'git-clone',
          params: [
            { name: 'url', value: '' },
            { name: 'revision', value: 'main' },
          ],
          taskSpec: expect.objectContaining({
            metadata: {
              annotations: expect.objectContaining({
                'cairn.dev/template': 'Task/git-clone',
                'cairn.dev/template-version': '0.9',
              }),
            },
          }),
        }),
      },
    ]);
  });

  it('installs a store Task into the pipeline’s namespace, then refers to it', async () => {
    const picked: PickedTask[] = [];
    const installs: unknown[] = [];
    await renderPicker(installs, p => picked.push(p));
    await userEvent.click(await screen.findByText('git-clone (store)'));
    await userEvent.click(
      await screen.findByRole('button', { name: 'Install and refer to it' }),
    );
    expect(
      await screen.findByText(
        'Task git-clone 0.9 will be created in namespace shop on cluster dev.',
      ),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Install' }));
    await waitFor(() => expect(picked).toHaveLength(1));
    expect(picked[0]).toEqual({
      kind: 'store',
      task: {
        name: 'git-clone',
        taskRef: { name: 'git-clone' },
        params: [
          { name: 'url', value: '' },
          { name: 'revision', value: 'main' },
        ],
      },
    });
    expect(installs).toEqual([
      { ...target, dryRun: true },
      { ...target, dryRun: false },
    ]);
  });
});
