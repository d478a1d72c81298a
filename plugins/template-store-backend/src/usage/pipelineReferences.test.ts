import { pipelineReferences } from './pipelineReferences';

const from = (template: string, version: string) => ({
  annotations: {
    'cairn.dev/template': template,
    'cairn.dev/template-version': version,
  },
});

describe('pipelineReferences', () => {
  const tasks: Record<string, any> = {
    'ci/git-clone': { metadata: from('Task/git-clone', '0.9') },
    'ci/local': { metadata: { name: 'local' } },
    'other/golang-build': { metadata: from('Task/golang-build', '0.3') },
  };
  const taskOf = (namespace: string, name: string) =>
    tasks[`${namespace}/${name}`];

  it('finds installed Tasks its taskRefs name in its namespace, store taskSpecs, and itself', () => {
    const pipeline = {
      metadata: {
        name: 'build',
        namespace: 'ci',
        ...from('Pipeline/build-and-test', '0.1'),
      },
      spec: {
        tasks: [
          { name: 'clone', taskRef: { name: 'git-clone' } },
          { name: 'again', taskRef: { name: 'git-clone', kind: 'Task' } },
          { name: 'mine', taskRef: { name: 'local' } },
          // In another namespace than the Pipeline's: not its Task.
          { name: 'build', taskRef: { name: 'golang-build' } },
          {
            // The hub's latest: no version, so not one of the store's.
            name: 'hub',
            taskRef: {
              resolver: 'hub',
              params: [{ name: 'name', value: 'git-clone' }],
            },
          },
          {
            name: 'inline',
            taskSpec: {
              metadata: from('Task/golang-test', '0.1'),
              steps: [{ name: 's', image: 'golang' }],
            },
          },
        ],
        finally: [{ name: 'notify', taskRef: { name: 'git-clone' } }],
      },
    };
    expect(pipelineReferences(pipeline, taskOf)).toEqual([
      { kind: 'Pipeline', name: 'build-and-test', version: '0.1' },
      { kind: 'Task', name: 'git-clone', version: '0.9' },
      { kind: 'Task', name: 'golang-test', version: '0.1' },
    ]);
  });

  // Refs shaped as in Tekton's examples (examples/v1/*/…-resolver.yaml).
  const using = (...taskRefs: any[]) => ({
    metadata: { name: 'build', namespace: 'ci' },
    spec: {
      tasks: taskRefs.map((taskRef, i) => ({ name: `t${i}`, taskRef })),
    },
  });
  const params = (values: Record<string, string>) =>
    Object.entries(values).map(([name, value]) => ({ name, value }));

  it('counts a hub ref with kind, name and an exact version', () => {
    expect(
      pipelineReferences(
        using(
          {
            resolver: 'hub',
            params: params({
              catalog: 'tekton-catalog-tasks',
              type: 'artifact',
              kind: 'task',
              name: 'git-clone',
              version: '0.9',
            }),
          },
          // kind defaults to task.
          {
            resolver: 'hub',
            params: params({ name: 'golang-build', version: '0.3' }),
          },
        ),
        taskOf,
      ),
    ).toEqual([
      { kind: 'Task', name: 'git-clone', version: '0.9' },
      { kind: 'Task', name: 'golang-build', version: '0.3' },
    ]);
  });

  it('does not count a hub ref whose version the run picks', () => {
    expect(
      pipelineReferences(
        using(
          // A constraint: the hub picks a version when the run resolves it.
          {
            resolver: 'hub',
            params: params({ name: 'git-clone', version: '>= 0.5.0' }),
          },
          // From the run's params.
          {
            resolver: 'hub',
            params: params({
              name: 'git-clone',
              version: '$(params.clone-version)',
            }),
          },
          // A pipeline is no Task.
          {
            resolver: 'hub',
            params: params({
              kind: 'pipeline',
              name: 'buildpacks',
              version: '0.2',
            }),
          },
        ),
        taskOf,
      ),
    ).toEqual([]);
  });

  it('counts a cluster ref to a Task installed from the store, in its namespace or the Pipeline’s', () => {
    expect(
      pipelineReferences(
        using(
          {
            resolver: 'cluster',
            params: params({
              kind: 'task',
              name: 'golang-build',
              namespace: 'other',
            }),
          },
          // Without namespace: the run's, which is the Pipeline's.
          { resolver: 'cluster', params: params({ name: 'git-clone' }) },
          // Not installed from the store.
          {
            resolver: 'cluster',
            params: params({ kind: 'task', name: 'local', namespace: 'ci' }),
          },
          // Its namespace is the run's param: not known here.
          {
            resolver: 'cluster',
            params: params({
              name: 'git-clone',
              namespace: '$(params.tasks-namespace)',
            }),
          },
        ),
        taskOf,
      ),
    ).toEqual([
      { kind: 'Task', name: 'golang-build', version: '0.3' },
      { kind: 'Task', name: 'git-clone', version: '0.9' },
    ]);
  });

  it('counts git and http refs to a file in the catalog layout', () => {
    expect(
      pipelineReferences(
        using(
          {
            resolver: 'git',
            params: params({
              url: 'https://github.com/tektoncd/catalog.git',
              pathInRepo: '/task/git-clone/0.10/git-clone.yaml',
              revision: 'main',
            }),
          },
          // A catalog in a folder of the repository, through the SCM API.
          {
            resolver: 'git',
            params: params({
              org: 'acme',
              repo: 'platform',
              revision: 'v2',
              pathInRepo:
                'tekton/catalog/task/golang-build/0.3/golang-build.yaml',
            }),
          },
          {
            resolver: 'http',
            params: params({
              url: 'https://raw.githubusercontent.com/tektoncd/catalog/main/task/kaniko/0.6/kaniko.yaml',
            }),
          },
          // Not the catalog layout: any file of any repository.
          {
            resolver: 'git',
            params: params({
              url: 'https://github.com/acme/shop.git',
              pathInRepo: 'ci/build.yaml',
              revision: 'main',
            }),
          },
          // A pipeline of the catalog is no Task.
          {
            resolver: 'git',
            params: params({
              url: 'https://github.com/tektoncd/catalog.git',
              pathInRepo: 'pipeline/buildpacks/0.2/buildpacks.yaml',
            }),
          },
        ),
        taskOf,
      ),
    ).toEqual([
      { kind: 'Task', name: 'git-clone', version: '0.10' },
      { kind: 'Task', name: 'golang-build', version: '0.3' },
      { kind: 'Task', name: 'kaniko', version: '0.6' },
    ]);
  });

  it('does not count bundles refs or custom resolvers', () => {
    expect(
      pipelineReferences(
        using(
          {
            resolver: 'bundles',
            params: params({
              bundle:
                'ghcr.io/tektoncd/catalog/upstream/tasks/git-clone@sha256:65e61544c5870c8828233406689d812391735fd4100cb444bbd81531cb958bb3',
              name: 'git-clone',
              kind: 'task',
            }),
          },
          {
            resolver: 'acme-vault',
            params: params({ name: 'git-clone', version: '0.9' }),
          },
        ),
        taskOf,
      ),
    ).toEqual([]);
  });

  it('finds nothing in a Pipeline that uses no store template', () => {
    expect(
      pipelineReferences(
        {
          metadata: { name: 'p', namespace: 'ci' },
          spec: { tasks: [{ name: 'a', taskRef: { name: 'missing' } }] },
        },
        taskOf,
      ),
    ).toEqual([]);
  });
});
