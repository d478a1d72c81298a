import { identityApiRef } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import type {
  PublishRequest,
  TemplateDetail,
} from '@cairn/plugin-template-store-common';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { TemplateStoreApi, templateStoreApiRef } from '../api';
import { PublishDialog } from './PublishDialog';

const pipelineYaml = [
  'apiVersion: tekton.dev/v1',
  'kind: Pipeline',
  'metadata:',
  '  name: build',
  'spec:',
  '  tasks:',
  '    - name: compile',
  '      taskRef:',
  '        name: golang-build',
  '',
].join('\n');

const existing: TemplateDetail = {
  kind: 'Pipeline',
  name: 'build',
  owner: 'group:default/team-b',
  categories: [],
  tags: [],
  platforms: [],
  latestVersion: '0.2',
  stars: 0,
  starred: false,
  usage: 0,
  updatedAt: '2026-12-07T10:00:00.000Z',
  versions: ['0.2', '0.1'].map(version => ({
    version,
    apiVersion: 'tekton.dev/v1',
    digest: `sha256:${version}`,
    deprecated: false,
    createdBy: 'user:default/ada',
    createdAt: '2026-12-07T10:00:00.000Z',
  })),
};

const identityApi = {
  getBackstageIdentity: async () => ({
    type: 'user' as const,
    userEntityRef: 'user:default/ada',
    ownershipEntityRefs: [
      'user:default/ada',
      'group:default/team-a',
      'group:default/team-b',
    ],
  }),
};

async function renderDialog(
  api: Partial<TemplateStoreApi>,
  { storePath }: { storePath?: string } = { storePath: '/templates' },
) {
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [templateStoreApiRef, api],
        [identityApiRef, identityApi],
      ]}
    >
      <PublishDialog
        yaml={pipelineYaml}
        storePath={storePath}
        onClose={() => {}}
      />
    </TestApiProvider>,
  );
}

// userEvent types character by character through MUI's inputs, which takes
// seconds on a busy machine; the default 5 s cut tests off mid-way.
jest.setTimeout(30_000);

describe('PublishDialog with the builder’s YAML', () => {
  it('suggests the next version and owner, publishes, and links to the template', async () => {
    const published: PublishRequest[] = [];
    await renderDialog({
      getTemplate: async () => existing,
      publish: async request => {
        published.push(request);
        return {
          ...existing.versions[0],
          kind: 'Pipeline',
          name: 'build',
          version: request.version,
          yaml: request.yaml,
          docs: {} as any,
        };
      },
    });
    const version = screen.getByLabelText('Version');
    await waitFor(() => expect(version).toHaveValue('0.2.1'));
    expect(screen.getByLabelText('Template name')).toHaveValue('build');
    expect(screen.getByLabelText('Owner group')).toHaveValue(
      'group:default/team-b',
    );
    await userEvent.type(
      screen.getByLabelText('Description'),
      'Builds Go services',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Publish' }));

    expect(
      await screen.findByRole('link', {
        name: 'open its page in the template store',
      }),
    ).toHaveAttribute('href', '/templates/Pipeline/build');
    expect(published).toEqual([
      {
        owner: 'group:default/team-b',
        version: '0.2.1',
        yaml: expect.stringContaining('description: Builds Go services'),
      },
    ]);
  });

  it('says what it published without a link when the caller has no route to the store', async () => {
    await renderDialog(
      {
        getTemplate: async () => existing,
        publish: async request => ({
          ...existing.versions[0],
          kind: 'Pipeline',
          name: 'build',
          version: request.version,
          yaml: request.yaml,
          docs: {} as any,
        }),
      },
      {},
    );
    await waitFor(() =>
      expect(screen.getByLabelText('Version')).toHaveValue('0.2.1'),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Publish' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      /^Published Pipeline build 0.2.1$/,
    );
    expect(screen.queryByRole('link')).not.toBeInTheDocument();
  });

  it('refuses a version not above the latest before asking the server', async () => {
    await renderDialog({ getTemplate: async () => existing });
    const version = screen.getByLabelText('Version');
    await waitFor(() => expect(version).toHaveValue('0.2.1'));
    await userEvent.clear(version);
    await userEvent.type(version, '0.2');
    expect(
      screen.getByText(
        'version 0.2 must be greater than the latest version 0.2',
      ),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Publish' })).toBeDisabled();
  });

  it('shows the server’s refusal in the dialog', async () => {
    await renderDialog({
      getTemplate: async () => {
        throw await ResponseError.fromResponse(
          new Response(
            JSON.stringify({
              error: { name: 'NotFoundError', message: 'no such template' },
              response: { statusCode: 404 },
            }),
            { status: 404, headers: { 'Content-Type': 'application/json' } },
          ) as any,
        );
      },
      publish: async () => {
        throw await ResponseError.fromResponse(
          new Response(
            JSON.stringify({
              error: {
                name: 'NotAllowedError',
                message:
                  'not allowed to publish for group:default/team-a: owners and ops publish',
              },
              response: { statusCode: 403 },
            }),
            { status: 403, headers: { 'Content-Type': 'application/json' } },
          ) as any,
        );
      },
    });
    // A new template starts at 0.1.0, owned by the user's first group.
    await waitFor(() =>
      expect(screen.getByLabelText('Version')).toHaveValue('0.1.0'),
    );
    expect(screen.getByLabelText('Owner group')).toHaveValue(
      'group:default/team-a',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Publish' }));
    expect(
      await screen.findByText(
        'not allowed to publish for group:default/team-a: owners and ops publish',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByRole('link')).not.toBeInTheDocument();
  });
});
