import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { TaskPicker } from './TaskPicker';

describe('TaskPicker', () => {
  it("says the cluster's Tasks are missing instead of claiming the namespace has none", async () => {
    await renderInTestApp(
      <TaskPicker
        title="Add a task"
        tasks={[]}
        loading={false}
        clusterErrors={[
          { cluster: 'dev', message: 'connect ECONNREFUSED 127.0.0.1:6443' },
        ]}
        onPick={() => {}}
        onClose={() => {}}
      />,
    );
    expect(
      await screen.findByText(/Tasks of 1 cluster\(s\) are missing/),
    ).toBeInTheDocument();
    expect(screen.getByText(/ECONNREFUSED/)).toBeInTheDocument();
    expect(
      screen.queryByText('The namespace has no Tasks; add an inline task.'),
    ).not.toBeInTheDocument();
    // An inline task needs no cluster: it stays on offer.
    expect(screen.getByText('Inline task')).toBeInTheDocument();
  });

  it('says when the namespace has no Tasks', async () => {
    await renderInTestApp(
      <TaskPicker
        title="Add a task"
        tasks={[]}
        loading={false}
        clusterErrors={[]}
        onPick={() => {}}
        onClose={() => {}}
      />,
    );
    expect(
      await screen.findByText(
        'The namespace has no Tasks; add an inline task.',
      ),
    ).toBeInTheDocument();
  });
});
