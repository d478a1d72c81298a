import { renderInTestApp } from '@backstage/test-utils';
import { act, render, screen } from '@testing-library/react';
import type { ClusterError } from '@cairn/plugin-kubernetes-common';
import { ClusterErrors, isStale, useRefreshWhileStale } from './ClusterErrors';

const lost: ClusterError = {
  cluster: 'east',
  message: 'connect ECONNREFUSED 10.0.0.1:6443',
  unreachableSince: '2026-03-01T10:00:00.000Z',
};
const unread: ClusterError = {
  cluster: 'west',
  message: 'the server could not find the requested resource',
};

describe('ClusterErrors', () => {
  it('shows a lost cluster as its last known state, since when and why', async () => {
    await renderInTestApp(<ClusterErrors errors={[lost]} what="Stones" />);
    const banner = screen.getByRole('alert');
    expect(banner).toHaveTextContent(
      `Showing the last known state of east from ${new Date(
        lost.unreachableSince!,
      ).toLocaleString()} — not live`,
    );
    expect(banner).toHaveTextContent('connect ECONNREFUSED 10.0.0.1:6443');
    expect(screen.queryByText(/are missing/)).toBeNull();
  });

  it('names the clusters whose objects are missing, apart from the lost ones', async () => {
    await renderInTestApp(
      <ClusterErrors errors={[lost, unread]} what="Runs" />,
    );
    expect(
      screen.getByText(/Runs of 1 cluster\(s\) are missing/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'west: the server could not find the requested resource',
      ),
    ).toBeInTheDocument();
    expect(screen.getAllByText(/Showing the last known state of/)).toHaveLength(
      1,
    );
  });

  it('shows nothing when every cluster answered', async () => {
    const { container } = render(<ClusterErrors errors={[]} what="Runs" />);
    expect(container).toBeEmptyDOMElement();
  });
});

describe('isStale', () => {
  it('is true only when a cluster is shown at its last known state', () => {
    expect(isStale(undefined)).toBe(false);
    expect(isStale([unread])).toBe(false);
    expect(isStale([unread, lost])).toBe(true);
  });
});

describe('useRefreshWhileStale', () => {
  function Refreshing(props: { errors: ClusterError[]; refresh: () => void }) {
    useRefreshWhileStale(props.errors, props.refresh, 1000);
    return null;
  }

  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('asks again while a cluster is stale, and stops once it answers', () => {
    const refresh = jest.fn();
    const view = render(<Refreshing errors={[lost]} refresh={refresh} />);
    act(() => jest.advanceTimersByTime(3000));
    expect(refresh).toHaveBeenCalledTimes(3);

    view.rerender(<Refreshing errors={[unread]} refresh={refresh} />);
    act(() => jest.advanceTimersByTime(3000));
    expect(refresh).toHaveBeenCalledTimes(3);
  });
});
