import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  TemplateStoreApi,
  templateStoreApiRef,
} from '@cairn/plugin-template-store-react';
import { screen, within } from '@testing-library/react';
import { rootRouteRef } from '../routes';
import { EntityGroupTemplatesCard } from './EntityGroupTemplatesCard';

const group = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'platform', namespace: 'default' },
  spec: { type: 'team', children: [] },
};

describe('EntityGroupTemplatesCard', () => {
  it('lists the templates the group owns', async () => {
    const owners: Array<string | undefined> = [];
    const api: Partial<TemplateStoreApi> = {
      listTemplates: async query => {
        owners.push(query.owner);
        return {
          totalCount: 1,
          items: [
            {
              kind: 'Task',
              name: 'git-clone',
              displayName: 'git clone',
              owner: 'group:default/platform',
              categories: [],
              tags: [],
              platforms: [],
              latestVersion: '0.2',
              stars: 3,
              starred: false,
              usage: 2,
              updatedAt: '2026-12-07T10:00:00.000Z',
            },
          ],
        };
      },
    };
    await renderInTestApp(
      <TestApiProvider apis={[[templateStoreApiRef, api]]}>
        <EntityProvider entity={group}>
          <EntityGroupTemplatesCard />
        </EntityProvider>
      </TestApiProvider>,
      { mountedRoutes: { '/templates': rootRouteRef } },
    );
    const list = await screen.findByRole('list', {
      name: 'Templates of the group',
    });
    expect(
      within(list).getByRole('link', { name: 'git clone' }),
    ).toHaveAttribute('href', '/templates/Task/git-clone');
    expect(
      within(list).getByText('Task 0.2 · 3 stars · used by 2 pipelines'),
    ).toBeInTheDocument();
    expect(owners).toEqual(['group:default/platform']);
  });

  it('says when the group owns none', async () => {
    const api: Partial<TemplateStoreApi> = {
      listTemplates: async () => ({ totalCount: 0, items: [] }),
    };
    await renderInTestApp(
      <TestApiProvider apis={[[templateStoreApiRef, api]]}>
        <EntityProvider entity={group}>
          <EntityGroupTemplatesCard />
        </EntityProvider>
      </TestApiProvider>,
      { mountedRoutes: { '/templates': rootRouteRef } },
    );
    expect(
      await screen.findByText(/The group owns no templates yet/),
    ).toBeInTheDocument();
  });
});
