import { render, waitFor } from '@testing-library/react';
import App from './App';

describe('App', () => {
  it('renders the sign-in page offering guest sign-in', async () => {
    process.env = {
      NODE_ENV: 'test',
      APP_CONFIG: [
        {
          data: {
            app: { title: 'Cairn' },
            backend: { baseUrl: 'http://localhost:7007' },
          },
          context: 'test',
        },
      ] as any,
    };

    const rendered = render(<App />);

    await waitFor(() => {
      expect(rendered.getByText('Guest')).toBeInTheDocument();
    });
    expect(rendered.queryByText('GitHub')).not.toBeInTheDocument();
    expect(rendered.queryByText('Ops (demo)')).not.toBeInTheDocument();
  });
});
