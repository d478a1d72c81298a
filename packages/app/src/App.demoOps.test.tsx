import { render, waitFor } from '@testing-library/react';
import App from './App';

// A file of its own: the app reads its config once per module instance.
describe('App with the demo ops sign-in listed', () => {
  it('offers "Ops (demo)" next to guest when cairn.signIn.providers lists demoOps', async () => {
    process.env = {
      NODE_ENV: 'test',
      APP_CONFIG: [
        {
          data: {
            app: { title: 'Cairn' },
            backend: { baseUrl: 'http://localhost:7007' },
            cairn: { signIn: { providers: ['guest', 'demoOps'] } },
          },
          context: 'test',
        },
      ] as any,
    };

    const rendered = render(<App />);

    await waitFor(() => {
      expect(rendered.getByText('Ops (demo)')).toBeInTheDocument();
    });
    expect(rendered.getByText('Guest')).toBeInTheDocument();
    expect(
      rendered.getByText(
        /Enter as the demo ops user, who may approve release stages/,
      ),
    ).toBeInTheDocument();
  });
});
