import { parseTemplateYaml, withNameAndDescription } from './templateYaml';

const gitClone = `apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: git-clone
  labels:
    app.kubernetes.io/version: "0.9"
  annotations:
    tekton.dev/pipelines.minVersion: "0.38.0"
    tekton.dev/categories: Git
    tekton.dev/tags: git, clone
    tekton.dev/displayName: "git clone"
    tekton.dev/platforms: "linux/amd64,linux/s390x,linux/arm64"
spec:
  description: >-
    Clones a git repository.
  workspaces:
    - name: output
      description: The git repo will be cloned onto the volume backing this Workspace.
    - name: ssh-directory
      optional: true
      readOnly: true
  params:
    - name: url
      description: Repository URL to clone from.
      type: string
    - name: depth
      default: "1"
    - name: extra
      default: [a, b]
  results:
    - name: commit
      description: The precise commit SHA that was fetched by this Task.
  steps:
    - name: clone
      image: alpine/git
      script: git clone $(params.url)
`;

describe('parseTemplateYaml', () => {
  it('reads the catalog annotations and the docs of params, results, workspaces', () => {
    const parsed = parseTemplateYaml(gitClone);
    expect(parsed).toEqual({
      ok: true,
      docs: {
        kind: 'Task',
        apiVersion: 'tekton.dev/v1',
        name: 'git-clone',
        displayName: 'git clone',
        description: 'Clones a git repository.',
        categories: ['Git'],
        tags: ['git', 'clone'],
        platforms: ['linux/amd64', 'linux/s390x', 'linux/arm64'],
        minPipelinesVersion: '0.38.0',
        params: [
          {
            name: 'url',
            type: 'string',
            description: 'Repository URL to clone from.',
            default: undefined,
          },
          {
            name: 'depth',
            type: 'string',
            description: undefined,
            default: '1',
          },
          {
            name: 'extra',
            type: 'array',
            description: undefined,
            default: '["a","b"]',
          },
        ],
        results: [
          {
            name: 'commit',
            type: 'string',
            description:
              'The precise commit SHA that was fetched by this Task.',
          },
        ],
        workspaces: [
          {
            name: 'output',
            description:
              'The git repo will be cloned onto the volume backing this Workspace.',
            optional: false,
            readOnly: false,
          },
          {
            name: 'ssh-directory',
            description: undefined,
            optional: true,
            readOnly: true,
          },
        ],
      },
    });
  });

  it('accepts v1beta1 and keeps its API version; StepActions and Pipelines too', () => {
    const beta = parseTemplateYaml(
      gitClone.replace('tekton.dev/v1', 'tekton.dev/v1beta1'),
    );
    expect(beta.ok && beta.docs.apiVersion).toBe('tekton.dev/v1beta1');
    const stepAction = parseTemplateYaml(
      'apiVersion: tekton.dev/v1\nkind: StepAction\nmetadata: {name: git}\nspec: {image: alpine/git}\n',
    );
    expect(stepAction.ok && stepAction.docs.kind).toBe('StepAction');
    const pipeline = parseTemplateYaml(
      'apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata: {name: build}\nspec:\n  tasks: [{name: a, taskRef: {name: git-clone}}]\n',
    );
    expect(pipeline.ok && pipeline.docs.kind).toBe('Pipeline');
  });

  it('refuses what is not a Task, Pipeline or StepAction', () => {
    expect(
      parseTemplateYaml(
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n',
      ),
    ).toEqual({
      ok: false,
      errors: ['not a Task, Pipeline or StepAction: kind "ConfigMap"'],
    });
    expect(
      parseTemplateYaml(
        'apiVersion: tekton.dev/v2\nkind: Task\nmetadata: {name: x}\nspec: {}\n',
      ),
    ).toEqual({
      ok: false,
      errors: ['no matches for kind "Task" in version "tekton.dev/v2"'],
    });
    expect(parseTemplateYaml('- a\n- b\n')).toEqual({
      ok: false,
      errors: ['expected a Task, Pipeline or StepAction object'],
    });
    expect(parseTemplateYaml(`${gitClone}---\n${gitClone}`)).toEqual({
      ok: false,
      errors: [
        'expected exactly one Task, Pipeline or StepAction document, got 2',
      ],
    });
    expect(parseTemplateYaml('')).toEqual({
      ok: false,
      errors: [
        'expected exactly one Task, Pipeline or StepAction document, got 0',
      ],
    });
  });

  it('says what is missing in Tekton’s words', () => {
    const parsed = parseTemplateYaml(
      'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: Bad_Name}\nspec:\n  params: [{type: integer}]\n',
    );
    expect(parsed).toEqual({
      ok: false,
      errors: [
        "invalid value: Bad_Name: metadata.name: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        'missing field(s): spec.steps',
        'missing field(s): spec.params[0].name',
        'invalid value: integer: spec.params.[0].type',
      ],
    });
    expect(
      parseTemplateYaml(
        'apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata: {}\nspec: {}\n',
      ),
    ).toEqual({
      ok: false,
      errors: [
        'missing field(s): metadata.name',
        'expected at least one, got none: spec.tasks',
      ],
    });
  });

  it('reports bad YAML with the parser’s message', () => {
    const parsed = parseTemplateYaml('kind: Task\n  bad: [indent\n');
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.errors[0]).toMatch(
      /^[A-Z].+at line \d+, column \d+/s,
    );
    const duplicate = parseTemplateYaml('kind: Task\nkind: Pipeline\n');
    expect(!duplicate.ok && duplicate.errors).toEqual([
      expect.stringContaining('Map keys must be unique'),
    ]);
  });

  it('refuses custom tags and alias bombs', () => {
    const tagged = parseTemplateYaml(`${gitClone}extra: !!js/function "x"\n`);
    expect(!tagged.ok && tagged.errors[0]).toMatch(
      /Unresolved tag: tag:yaml.org,2002:js\/function/,
    );
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(
            98 + i,
          )} [${Array(9)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(', ')}]`,
      ),
    ].join('\n');
    const parsed = parseTemplateYaml(bomb);
    expect(!parsed.ok && parsed.errors[0]).toMatch(/Excessive alias count/);
  });

  it('refuses YAML over the size cap, counting bytes not characters', () => {
    const parsed = parseTemplateYaml('é'.repeat(600), { maxBytes: 1000 });
    expect(parsed).toEqual({
      ok: false,
      tooLarge: true,
      errors: ['the YAML is 1200 bytes, more than the limit of 1000'],
    });
  });
});

describe('withNameAndDescription', () => {
  const pipeline = [
    'apiVersion: tekton.dev/v1',
    'kind: Pipeline',
    'metadata:',
    '  name: build # the builder named it',
    'spec:',
    '  tasks:',
    '    - name: compile',
    '      taskRef:',
    '        name: golang-build',
    '',
  ].join('\n');

  it('renames the template and sets its description, keeping comments', () => {
    const out = withNameAndDescription(pipeline, 'go-build', 'Builds Go');
    expect(out).toContain('name: go-build # the builder named it');
    const parsed = parseTemplateYaml(out);
    expect(parsed).toMatchObject({
      ok: true,
      docs: { name: 'go-build', description: 'Builds Go' },
    });
  });

  it('leaves out an empty description', () => {
    expect(withNameAndDescription(pipeline, 'build', '')).not.toContain(
      'description',
    );
  });
});
