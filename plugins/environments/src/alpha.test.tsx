import type { Entity } from '@backstage/catalog-model';
import {
  createExtensionTester,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { screen } from '@testing-library/react';
import { EnvironmentsApi, environmentsApiRef } from './api';
import environmentsPlugin from './alpha';

/*
 * The environments card on Backstage's new frontend system: mounted by the
 * app machinery, shown on groups and on entities naming their namespace,
 * and asking the backend for the group's environments.
 */

const group: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'team-storefront', namespace: 'default' },
  spec: { type: 'team', children: [] },
};
const component = (annotations?: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'web', namespace: 'default', annotations },
  spec: { type: 'service', owner: 'team-storefront', lifecycle: 'production' },
});

describe('the environments card on the new frontend system', () => {
  const listEnvironments = jest.fn<
    ReturnType<EnvironmentsApi['listEnvironments']>,
    Parameters<EnvironmentsApi['listEnvironments']>
  >(async () => ({ items: [], canManage: false, clusterErrors: [] }));
  const apis = [[environmentsApiRef, { listEnvironments }]] as any;
  const tester = () =>
    createExtensionTester(
      (environmentsPlugin as any).getExtension('entity-card:environments'),
      { apis },
    );

  it('is an entity card for groups and entities naming their namespace', () => {
    const filter = tester().get(
      EntityCardBlueprint.dataRefs.filterFunction,
    ) as unknown as (e: Entity) => boolean;
    expect(filter(group)).toBe(true);
    expect(
      filter(component({ 'backstage.io/kubernetes-namespace': 'storefront' })),
    ).toBe(true);
    expect(filter(component())).toBe(false);
  });

  it("asks for the group's environments and says when there are none", async () => {
    await renderInTestApp(
      <EntityProvider entity={group}>{tester().reactElement()}</EntityProvider>,
      { apis },
    );
    expect(
      await screen.findByText(
        'This group owns no environment and is no tenant of one.',
      ),
    ).toBeInTheDocument();
    expect(listEnvironments).toHaveBeenCalledWith({
      group: 'group:default/team-storefront',
    });
  });
});
