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
