import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { ResponseError } from '@backstage/errors';
import {
  InstallRequest,
  ListTemplatesQuery,
  TemplateDetail,
  TemplateSummary,
  TemplateVersionDetail,
} from '@cairn/plugin-template-store-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  TemplateStoreApi,
  templateStoreApiRef,
} from '@cairn/plugin-template-store-react';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { TemplateStoreRouter } from './TemplateStoreRouter';

jest.setTimeout(30_000);

const gitClone: TemplateSummary = {
  kind: 'Task',
  name: 'git-clone',
  owner: 'group:default/ops',
  displayName: 'git clone',
  description: 'Clones a git repository.',
  categories: ['Git'],
  tags: ['git'],
  platforms: ['linux/amd64'],
  latestVersion: '0.2',
  stars: 3,
  starred: false,
  usage: 0,
  updatedAt: '2026-12-07T10:00:00.000Z',
};
const buildah: TemplateSummary = {
  ...gitClone,
  name: 'buildah',
  displayName: 'buildah',
  description: 'Builds images.',
  categories: ['Image Build'],
  tags: ['image-build'],
  stars: 0,
  latestVersion: '0.1',
};

const version = (v: string): TemplateVersionDetail => ({
  kind: 'Task',
  name: 'git-clone',
  version: v,
  apiVersion: 'tekton.dev/v1',
  digest: `sha256:${'a'.repeat(64)}`,
  deprecated: false,
  createdBy: 'template-store:source:demo',
  createdAt: '2026-12-07T10:00:00.000Z',
  yaml: `kind: Task # ${v}\n`,
  readme: '# git clone\n\nClones **a repository**.',
  docs: {
    kind: 'Task',
    apiVersion: 'tekton.dev/v1',
    name: 'git-clone',
    categories: [],
    tags: [],
    platforms: [],
    params: [
      {
        name: 'url',
        type: 'string',
        description: 'The repository URL to clone from.',
      },
      {
        name: 'revision',
        type: 'string',
        description: 'What to check out.',
        default: 'main',
      },
    ],
    results: [{ name: 'commit', type: 'string', description: 'The commit.' }],
    workspaces: [{ name: 'output', optional: false, readOnly: false }],
  },
});

/** A store of two templates that filters as the backend does (search over names and descriptions). */
function fakeStore(): TemplateStoreApi & {
  queries: ListTemplatesQuery[];
  stars: boolean[];
  installs: InstallRequest[];
} {
  const queries: ListTemplatesQuery[] = [];
  const stars: boolean[] = [];
  const installs: InstallRequest[] = [];
  return {
    queries,
    stars,
    installs,
    listTemplates: async query => {
      queries.push(query);
      const items = [buildah, gitClone].filter(
        t =>
          (!query.search ||
            `${t.name} ${t.description}`.includes(query.search)) &&
          (!query.category || t.categories.includes(query.category)),
      );
      return { items, totalCount: items.length };
    },
    getFacets: async () => ({
      kinds: [{ value: 'Task', count: 2 }],
      categories: [
        { value: 'Git', count: 1 },
        { value: 'Image Build', count: 1 },
      ],
      tags: [],
      platforms: [],
      owners: [{ value: 'group:default/ops', count: 2 }],
    }),
    getTemplate: async (_kind, name) => {
      if (name !== 'git-clone') {
        throw await ResponseError.fromResponse(
          new Response(
            JSON.stringify({
              error: {
                name: 'NotFoundError',
                message: `no Task named ${name} in the store`,
              },
              response: { statusCode: 404 },
            }),
            { status: 404, headers: { 'Content-Type': 'application/json' } },
          ) as any,
        );
      }
      const detail: TemplateDetail = {
        ...gitClone,
        starred: stars.at(-1) ?? false,
        versions: [version('0.2'), version('0.1')],
      };
      return detail;
    },
    getVersion: async (_kind, _name, v) => version(v),
    diff: async (_kind, _name, from, to) => ({
      from,
      to,
      patch: `-kind: Task # ${from}\n+kind: Task # ${to}\n`,
    }),
    setStar: async (_kind, _name, starred) => {
      stars.push(starred);
    },
    fork: async () => version('0.2'),
    publish: async () => version('0.3'),
    listUsage: async () => ({
      items: [
        {
          kind: 'Task',
          name: 'git-clone',
          version: '0.2',
          cluster: 'dev',
          namespace: 'shop',
          pipeline: 'build-payments',
          entityRef: 'component:default/payments-api',
        },
      ],
    }),
    installTargets: async () => ({ clusters: ['dev'], namespace: 'shop' }),
    clusterTemplate: async (_entityRef, where) => ({
      kind: where.kind,
      name: where.name,
      yaml: `apiVersion: tekton.dev/v1\nkind: ${where.kind}\nmetadata:\n  name: ${where.name}\n`,
    }),
    install: async (kind, name, v, request) => {
      installs.push(request);
      // There is 0.1 in the namespace; installing 0.2 replaces it.
      return {
        outcome: request.dryRun ? 'preview' : 'replaced',
        cluster: request.cluster,
        namespace: request.namespace,
        kind,
        name,
        version: v,
        object: {},
        existing: {
          resourceVersion: '42',
          installedFrom: { kind, name, version: '0.1' },
          differs: true,
          diff: '-    app.kubernetes.io/version: "0.1"\n+    app.kubernetes.io/version: "0.2"\n',
        },
      };
    },
  };
}

const catalogApi = catalogApiMock({
  entities: [
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'payments-api',
        annotations: { 'backstage.io/kubernetes-id': 'payments-api' },
      },
      spec: { owner: 'team-payments' },
    },
  ],
});

const render = (api: TemplateStoreApi, path = '/') =>
  renderInTestApp(
    <TestApiProvider
      apis={[
        [templateStoreApiRef, api],
        [catalogApiRef, catalogApi],
      ]}
    >
      <TemplateStoreRouter />
    </TestApiProvider>,
    { routeEntries: [path] },
  );

describe('the template store pages', () => {
  it('lists templates as cards, searches and filters by facet', async () => {
    const api = fakeStore();
    await render(api);
    expect(await screen.findByText('git clone')).toBeInTheDocument();
    expect(screen.getByText('2 templates')).toBeInTheDocument();
    expect(
      screen.getByText('Task git-clone · 0.2 · group:default/ops'),
    ).toBeInTheDocument();

    await userEvent.type(screen.getByLabelText('Search templates'), 'git');
    await waitFor(() =>
      expect(screen.queryByText('buildah')).not.toBeInTheDocument(),
    );
    expect(api.queries.at(-1)).toEqual({ search: 'git' });

    await userEvent.clear(screen.getByLabelText('Search templates'));
    await waitFor(() =>
      expect(screen.getByText('2 templates')).toBeInTheDocument(),
    );
    fireEvent.mouseDown(screen.getByLabelText('Category'));
    await userEvent.click(
      await screen.findByRole('option', { name: 'Image Build (1)' }),
    );
    await waitFor(() =>
      expect(screen.getByText('1 template')).toBeInTheDocument(),
    );
    expect(api.queries.at(-1)).toEqual({ category: 'Image Build' });
  });

  it('publishes pasted YAML and opens the template; shows why the server refuses', async () => {
    const api = fakeStore();
    const published: unknown[] = [];
    api.publish = async request => {
      published.push(request);
      if (request.version === '0.1') {
        throw new Error(
          'version 0.1 must be greater than the latest version 0.2',
        );
      }
      return version(request.version);
    };
    await render(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Publish' }),
    );
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(
      within(dialog).getByLabelText('Owner group'),
      'group:default/ops',
    );
    await userEvent.type(within(dialog).getByLabelText('Version'), '0.1');
    fireEvent.change(within(dialog).getByLabelText('YAML'), {
      target: { value: 'kind: Task' },
    });
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Publish' }),
    );
    expect(
      await screen.findByText(
        'version 0.1 must be greater than the latest version 0.2',
      ),
    ).toBeInTheDocument();
    await userEvent.clear(within(dialog).getByLabelText('Version'));
    await userEvent.type(within(dialog).getByLabelText('Version'), '0.3');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Publish' }),
    );
    expect(published).toEqual([
      { owner: 'group:default/ops', version: '0.1', yaml: 'kind: Task' },
      { owner: 'group:default/ops', version: '0.3', yaml: 'kind: Task' },
    ]);
    expect(
      await screen.findByRole('table', { name: 'Params' }),
    ).toBeInTheDocument();
  });

  it('publishes a Task taken from an entity’s namespace as a new version', async () => {
    const api = fakeStore();
    const published: unknown[] = [];
    api.publish = async request => {
      published.push(request);
      return version(request.version);
    };
    await render(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Publish' }),
    );
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(
      within(dialog).getByLabelText('Owner group'),
      'group:default/ops',
    );
    await userEvent.clear(within(dialog).getByLabelText('Version'));
    await userEvent.type(within(dialog).getByLabelText('Version'), '0.3');
    await userEvent.type(
      within(dialog).getByLabelText('Entity'),
      'component:default/payments-api',
    );
    await userEvent.type(within(dialog).getByLabelText('Namespace'), 'shop');
    await userEvent.type(within(dialog).getByLabelText('Name'), 'greet');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Take its YAML' }),
    );
    await waitFor(() =>
      expect(within(dialog).getByLabelText('YAML')).toHaveValue(
        'apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: greet\n',
      ),
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Publish' }),
    );
    await waitFor(() =>
      expect(published).toEqual([
        {
          owner: 'group:default/ops',
          version: '0.3',
          yaml: 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: greet\n',
        },
      ]),
    );
  });

  it('says when nothing matches', async () => {
    await render(fakeStore(), '/?search=nothing-like-this');
    expect(await screen.findByText('No templates found')).toBeInTheDocument();
    expect(
      screen.getByText('Nothing matches this search and these filters.'),
    ).toBeInTheDocument();
  });

  it('shows a template’s params, README, YAML and versions with a diff; stars it', async () => {
    const api = fakeStore();
    await render(api, '/Task/git-clone');
    const params = await screen.findByRole('table', { name: 'Params' });
    expect(
      within(params)
        .getAllByRole('row')
        .map(r => r.textContent),
    ).toEqual([
      'NameTypeDefaultDescription',
      'urlstring(required)The repository URL to clone from.',
      'revisionstringmainWhat to check out.',
    ]);
    expect(screen.getByText('a repository')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('tab', { name: 'YAML' }));
    // The highlighter splits the YAML into tokens: read the page's text.
    await waitFor(() =>
      expect(document.body.textContent).toContain('kind: Task # 0.2'),
    );

    await userEvent.click(screen.getByRole('tab', { name: 'Versions (2)' }));
    await waitFor(() =>
      expect(document.body.textContent).toContain(
        '-kind: Task # 0.1\n+kind: Task # 0.2',
      ),
    );

    await userEvent.click(screen.getByRole('button', { name: 'Star' }));
    expect(
      await screen.findByRole('button', { name: 'Unstar' }),
    ).toBeInTheDocument();
    expect(api.stars).toEqual([true]);
  });

  it('lists the pipelines that use it', async () => {
    await render(fakeStore(), '/Task/git-clone');
    await userEvent.click(
      await screen.findByRole('tab', { name: 'Used by (0)' }),
    );
    const table = await screen.findByRole('table', { name: 'Used by' });
    expect(
      within(table)
        .getAllByRole('row')
        .map(r => r.textContent),
    ).toEqual([
      'PipelineEntityVersionClusterNamespace',
      'build-paymentscomponent:default/payments-api0.2devshop',
    ]);
  });

  it('installs the shown version for an entity: the preview shows what it replaces, and replacing sends the version it showed', async () => {
    const api = fakeStore();
    await render(api, '/Task/git-clone');
    await userEvent.click(
      await screen.findByRole('button', { name: 'Install' }),
    );
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByLabelText('For entity'));
    await userEvent.click(
      await screen.findByRole('option', {
        name: 'component:default/payments-api',
      }),
    );
    await waitFor(() =>
      expect(within(dialog).getByLabelText('Namespace')).toHaveValue('shop'),
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Preview' }),
    );
    expect(
      await within(dialog).findByText(
        'Task git-clone is already in namespace shop on cluster dev (installed from Task/git-clone 0.1) and differs from 0.2; installing replaces it:',
      ),
    ).toBeInTheDocument();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Replace' }),
    );
    expect(
      await within(dialog).findByText(
        'Task git-clone 0.2 replaced in namespace shop on cluster dev.',
      ),
    ).toBeInTheDocument();
    expect(api.installs).toEqual([
      {
        entityRef: 'component:default/payments-api',
        cluster: 'dev',
        namespace: 'shop',
        dryRun: true,
      },
      {
        entityRef: 'component:default/payments-api',
        cluster: 'dev',
        namespace: 'shop',
        dryRun: false,
        replace: '42',
      },
    ]);
  });

  it('forks the shown version under a new owner and name, then opens the fork', async () => {
    const api = fakeStore();
    const forks: unknown[] = [];
    api.fork = async (kind, name, request) => {
      forks.push({ kind, name, request });
      return version('0.2');
    };
    await render(api, '/Task/git-clone');
    await userEvent.click(await screen.findByRole('button', { name: 'Fork' }));
    const dialog = await screen.findByRole('dialog');
    expect(
      within(dialog).getByText('Fork Task git-clone 0.2'),
    ).toBeInTheDocument();
    await userEvent.type(
      within(dialog).getByLabelText('Owner group'),
      'group:default/team-payments',
    );
    await userEvent.clear(within(dialog).getByLabelText('New name'));
    await userEvent.type(
      within(dialog).getByLabelText('New name'),
      'pay-clone',
    );
    await userEvent.click(within(dialog).getByRole('button', { name: 'Fork' }));
    expect(forks).toEqual([
      {
        kind: 'Task',
        name: 'git-clone',
        request: {
          owner: 'group:default/team-payments',
          name: 'pay-clone',
          version: '0.2',
        },
      },
    ]);
    // The fake store knows only git-clone: the fork's page says so.
    expect(
      await screen.findByText('no Task named pay-clone in the store'),
    ).toBeInTheDocument();
  });

  it('shows the backend’s error for a template that is not there', async () => {
    await render(fakeStore(), '/Task/nope');
    expect(
      await screen.findByText('no Task named nope in the store'),
    ).toBeInTheDocument();
  });
});
