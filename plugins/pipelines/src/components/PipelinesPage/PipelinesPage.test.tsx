import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { FakePipelinesApi, makeRunDetails } from '../../__testUtils__/fakeApi';
import { pipelinesApiRef } from '../../api';
import { PipelinesPage } from './PipelinesPage';

const entities = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'shop',
      namespace: 'default',
      annotations: {
        'cairn.dev/pipelines': 'true',
        'backstage.io/kubernetes-id': 'shop',
      },
    },
    spec: { owner: 'team-a' },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'cart',
      namespace: 'default',
      annotations: {
        'tekton.dev/cicd': 'true',
        'backstage.io/kubernetes-label-selector': 'app=cart',
      },
    },
    spec: { owner: 'team-a' },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'legacy', namespace: 'default' },
    spec: { owner: 'team-b' },
  },
];

const catalogApi = {
  getEntities: jest.fn(async () => ({ items: entities })),
} as any;

describe('PipelinesPage', () => {
  it('lists the entities that use Pipelines', async () => {
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [catalogApiRef, catalogApi],
          [pipelinesApiRef, new FakePipelinesApi()],
          [permissionApiRef, mockApis.permission()],
        ]}
      >
        <Routes>
          <Route path="/pipelines/*" element={<PipelinesPage />} />
        </Routes>
      </TestApiProvider>,
      { routeEntries: ['/pipelines'] },
    );
    expect(
      await screen.findByText('component:default/shop'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('component:default/shop').closest('a'),
    ).toHaveAttribute('href', '/pipelines/component/default/shop');
    expect(screen.getByText('app=cart')).toBeInTheDocument();
    expect(screen.queryByText('component:default/legacy')).toBeNull();
    expect(catalogApi.getEntities).toHaveBeenCalledWith({
      filter: [
        { 'metadata.annotations.cairn.dev/pipelines': 'true' },
        { 'metadata.annotations.tekton.dev/cicd': 'true' },
      ],
    });
  });

  it("shows an entity's runs", async () => {
    const api = new FakePipelinesApi();
    api.pages = [
      { items: [makeRunDetails().summary], totalCount: 1, clusterErrors: [] },
    ];
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [catalogApiRef, catalogApi],
          [pipelinesApiRef, api],
          [permissionApiRef, mockApis.permission()],
        ]}
      >
        <Routes>
          <Route path="/pipelines/*" element={<PipelinesPage />} />
        </Routes>
      </TestApiProvider>,
      { routeEntries: ['/pipelines/component/default/shop'] },
    );
    expect(await screen.findByText('build-x1')).toBeInTheDocument();
    expect(screen.getByText('build-x1').closest('a')).toHaveAttribute(
      'href',
      '/pipelines/component/default/shop/runs/dev/shop/build-x1',
    );
    expect(api.listCalls[0].entityRef).toBe('component:default/shop');

    fireEvent.mouseDown(
      within(screen.getByTestId('entity-select')).getByRole('button'),
    );
    fireEvent.click(
      await screen.findByRole('option', { name: 'component:default/cart' }),
    );
    await waitFor(() =>
      expect(api.listCalls[api.listCalls.length - 1].entityRef).toBe(
        'component:default/cart',
      ),
    );
  });
});
