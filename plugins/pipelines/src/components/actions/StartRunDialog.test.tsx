import { renderInTestApp } from '@backstage/test-utils';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { buildParamForm } from '@cairn/plugin-pipelines-common';
import { StartRunDialog } from './StartRunDialog';

const specs = [
  { name: 'revision', type: 'string' as const, description: 'git revision' },
  {
    name: 'mode',
    type: 'string' as const,
    enum: ['fast', 'full'],
    default: 'fast',
  },
  { name: 'flags', type: 'array' as const, default: [] },
  {
    name: 'target',
    type: 'object' as const,
    properties: { region: {}, zone: {} },
  },
];

describe('StartRunDialog', () => {
  it('shows errors at the fields and submits nothing until they are fixed', async () => {
    const onSubmit = jest.fn().mockResolvedValue(undefined);
    await renderInTestApp(
      <StartRunDialog
        open
        title="Start build"
        submitLabel="Start"
        fields={buildParamForm(specs)}
        workspaces={[
          { name: 'source', optional: false },
          { name: 'cache', optional: true },
        ]}
        withRunOptions
        serviceAccounts={['builder', 'deployer']}
        onSubmit={onSubmit}
        onClose={() => {}}
      />,
    );
    fireEvent.change(screen.getByLabelText('Timeout (pipeline)'), {
      target: { value: 'soon' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Start' }));
    expect(
      await screen.findByText('param "revision" is required'),
    ).toBeInTheDocument();
    expect(screen.getByText('param "target" is required')).toBeInTheDocument();
    expect(
      screen.getByText(/must be a duration such as "1h"/),
    ).toBeInTheDocument();
    expect(onSubmit).not.toHaveBeenCalled();

    fireEvent.change(screen.getByLabelText('revision'), {
      target: { value: 'main' },
    });
    fireEvent.change(screen.getByLabelText('flags'), {
      target: { value: 'a\nb' },
    });
    fireEvent.change(screen.getByLabelText('target.region'), {
      target: { value: 'eu' },
    });
    fireEvent.change(screen.getByLabelText('target.zone'), {
      target: { value: 'eu-1a' },
    });
    fireEvent.change(screen.getByLabelText('Service account'), {
      target: { value: 'builder' },
    });
    fireEvent.change(screen.getByLabelText('Timeout (pipeline)'), {
      target: { value: '1h30m' },
    });
    fireEvent.click(screen.getByLabelText(/Hold the run/));
    fireEvent.change(screen.getByLabelText('source: Size'), {
      target: { value: '2Gi' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Start' }));
    await waitFor(() =>
      expect(onSubmit).toHaveBeenCalledWith({
        params: {
          revision: 'main',
          mode: 'fast',
          flags: ['a', 'b'],
          target: { region: 'eu', zone: 'eu-1a' },
        },
        serviceAccountName: 'builder',
        timeouts: { pipeline: '1h30m' },
        pending: true,
        workspaces: [
          {
            name: 'source',
            volumeClaimTemplate: {
              spec: {
                accessModes: ['ReadWriteOnce'],
                resources: { requests: { storage: '2Gi' } },
              },
            },
          },
        ],
      }),
    );
  });

  it('offers the namespace default first, then only the allowed service accounts', async () => {
    const onSubmit = jest.fn().mockResolvedValue(undefined);
    await renderInTestApp(
      <StartRunDialog
        open
        title="Start build"
        submitLabel="Start"
        fields={[]}
        withRunOptions
        serviceAccounts={['builder', 'deployer']}
        onSubmit={onSubmit}
        onClose={() => {}}
      />,
    );
    const select = screen.getByLabelText('Service account');
    expect(
      Array.from((select as HTMLSelectElement).options).map(o => o.text),
    ).toEqual(['Namespace default', 'builder', 'deployer']);
    expect(select).toHaveValue('');
    // The default names no account: Tekton then uses the namespace's.
    fireEvent.click(screen.getByRole('button', { name: 'Start' }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledWith({ params: {} }));
  });

  it('offers only the namespace default when no account is allowed', async () => {
    await renderInTestApp(
      <StartRunDialog
        open
        title="Start build"
        submitLabel="Start"
        fields={[]}
        withRunOptions
        serviceAccounts={[]}
        onSubmit={jest.fn()}
        onClose={() => {}}
      />,
    );
    const select = screen.getByLabelText(
      'Service account',
    ) as HTMLSelectElement;
    expect(Array.from(select.options).map(o => o.text)).toEqual([
      'Namespace default',
    ]);
    expect(select).toBeDisabled();
    expect(
      screen.getByText(/No other account is allowed for this namespace/),
    ).toBeInTheDocument();
  });
});
