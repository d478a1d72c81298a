import { catalogPath, parseCatalogPath } from './catalogLayout';

describe('the Tekton catalog layout', () => {
  it('finds templates and their READMEs', () => {
    expect(parseCatalogPath('task/git-clone/0.9/git-clone.yaml')).toEqual({
      role: 'template',
      kind: 'Task',
      name: 'git-clone',
      version: '0.9',
    });
    expect(parseCatalogPath('./pipeline/build/1.0/build.yml')).toEqual({
      role: 'template',
      kind: 'Pipeline',
      name: 'build',
      version: '1.0',
    });
    expect(parseCatalogPath('stepaction/git/0.1/README.md')).toEqual({
      role: 'readme',
      kind: 'StepAction',
      name: 'git',
      version: '0.1',
    });
  });

  it('ignores samples, tests, owners and other folders', () => {
    for (const path of [
      'task/git-clone/0.9/samples/run.yaml',
      'task/git-clone/0.9/tests/run.yaml',
      'task/git-clone/OWNERS',
      'task/git-clone/0.9/other.yaml',
      'tasks/git-clone/0.9/git-clone.yaml',
      'README.md',
    ]) {
      expect(parseCatalogPath(path)).toBeUndefined();
    }
  });

  it('writes the path a template has in a catalog', () => {
    expect(catalogPath('StepAction', 'git', '0.1')).toBe(
      'stepaction/git/0.1/git.yaml',
    );
    expect(parseCatalogPath(catalogPath('Pipeline', 'b', '1.0'))?.kind).toBe(
      'Pipeline',
    );
  });
});
