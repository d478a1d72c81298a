import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { NotFoundPage } from './NotFoundPage';

describe('NotFoundPage', () => {
  it('names the address nothing serves and links to where to start', async () => {
    await renderInTestApp(<NotFoundPage />, {
      routeEntries: ['/pipelines-typo/runs'],
    });
    expect(screen.getByText('Page not found (404)')).toBeInTheDocument();
    expect(screen.getByText('/pipelines-typo/runs')).toBeInTheDocument();
    expect(screen.getByText('Open the catalog').closest('a')).toHaveAttribute(
      'href',
      '/catalog',
    );
    expect(screen.getByText('Open Pipelines').closest('a')).toHaveAttribute(
      'href',
      '/pipelines',
    );
  });
});
