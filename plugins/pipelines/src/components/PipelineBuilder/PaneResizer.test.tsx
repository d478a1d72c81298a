import { useState } from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import { PaneResizer } from './PaneResizer';

function Resizable(props: { onCommit: (width: number) => void }) {
  const [width, setWidth] = useState(360);
  return (
    <PaneResizer
      label="Resize the YAML pane"
      controls="pane"
      width={width}
      min={200}
      max={500}
      onResize={setWidth}
      onCommit={props.onCommit}
    />
  );
}

describe('PaneResizer', () => {
  const separator = () =>
    screen.getByRole('separator', { name: 'Resize the YAML pane' });
  const width = () => Number(separator().getAttribute('aria-valuenow'));

  it('widens the pane on its right when dragged left, within its limits, and keeps the width it was let go at', () => {
    const onCommit = jest.fn();
    render(<Resizable onCommit={onCommit} />);
    // jsdom has no pointer capture.
    separator().setPointerCapture = () => {};
    separator().releasePointerCapture = () => {};
    fireEvent.pointerDown(separator(), { clientX: 600, pointerId: 1 });
    fireEvent.pointerMove(separator(), { clientX: 500, pointerId: 1 });
    expect(width()).toBe(460);
    fireEvent.pointerMove(separator(), { clientX: 100, pointerId: 1 });
    expect(width()).toBe(500);
    fireEvent.pointerMove(separator(), { clientX: 650, pointerId: 1 });
    expect(width()).toBe(310);
    expect(onCommit).not.toHaveBeenCalled();
    fireEvent.pointerUp(separator(), { clientX: 650, pointerId: 1 });
    expect(onCommit).toHaveBeenCalledWith(310);
    // Moving without a drag changes nothing.
    fireEvent.pointerMove(separator(), { clientX: 0, pointerId: 1 });
    expect(width()).toBe(310);
  });

  it('moves with the arrow keys, Home and End', () => {
    const onCommit = jest.fn();
    render(<Resizable onCommit={onCommit} />);
    expect(separator()).toHaveAttribute('aria-orientation', 'vertical');
    expect(separator()).toHaveAttribute('aria-controls', 'pane');
    fireEvent.keyDown(separator(), { key: 'ArrowLeft' });
    expect(width()).toBe(384);
    fireEvent.keyDown(separator(), { key: 'ArrowRight' });
    fireEvent.keyDown(separator(), { key: 'ArrowRight' });
    expect(width()).toBe(336);
    fireEvent.keyDown(separator(), { key: 'End' });
    expect(width()).toBe(500);
    fireEvent.keyDown(separator(), { key: 'Home' });
    expect(width()).toBe(200);
    expect(onCommit).toHaveBeenLastCalledWith(200);
  });
});
