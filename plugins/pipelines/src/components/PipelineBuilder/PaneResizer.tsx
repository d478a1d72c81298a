import { KeyboardEvent, PointerEvent, useRef } from 'react';

/** How far one arrow key press moves the divider. */
const KEY_STEP = 24;

export interface PaneResizerProps {
  /** What is resized, e.g. "Resize the YAML pane". */
  label: string;
  /** The id of the pane it resizes. */
  controls: string;
  /** The pane's width in pixels. */
  width: number;
  min: number;
  max: number;
  /** While dragging or on a key press. */
  onResize: (width: number) => void;
  /** When a drag ends or after a key press: the width to keep. */
  onCommit: (width: number) => void;
}

export const clampWidth = (width: number, min: number, max: number) =>
  Math.round(Math.min(Math.max(width, min), Math.max(min, max)));

/**
 * The divider left of a pane on the right (WAI-ARIA window splitter): drag
 * it, or focus it and use the arrow keys (Home and End for the narrowest and
 * widest), to change the pane's width. Moving it left widens the pane.
 */
export function PaneResizer(props: PaneResizerProps) {
  const { width, min, max } = props;
  const drag = useRef<{ x: number; width: number }>();

  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    event.preventDefault();
    event.currentTarget.setPointerCapture(event.pointerId);
    drag.current = { x: event.clientX, width };
  };
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    if (!drag.current) return;
    props.onResize(
      clampWidth(drag.current.width + drag.current.x - event.clientX, min, max),
    );
  };
  const onPointerUp = (event: PointerEvent<HTMLDivElement>) => {
    if (!drag.current) return;
    drag.current = undefined;
    event.currentTarget.releasePointerCapture(event.pointerId);
    props.onCommit(width);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const next = {
      ArrowLeft: width + KEY_STEP,
      ArrowRight: width - KEY_STEP,
      Home: min,
      End: max,
    }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const clamped = clampWidth(next, min, max);
    props.onResize(clamped);
    props.onCommit(clamped);
  };

  /* eslint-disable jsx-a11y/no-noninteractive-element-interactions, jsx-a11y/no-noninteractive-tabindex --
     a focusable separator is interactive: WAI-ARIA's window splitter. */
  return (
    <div
      role="separator"
      aria-orientation="vertical"
      aria-label={props.label}
      aria-controls={props.controls}
      aria-valuenow={width}
      aria-valuemin={min}
      aria-valuemax={Math.max(min, max)}
      tabIndex={0}
      title={`${props.label}: drag, or use the arrow keys`}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onKeyDown={onKeyDown}
      style={{
        flex: '0 0 8px',
        margin: '0 -4px',
        cursor: 'col-resize',
        touchAction: 'none',
        display: 'flex',
        justifyContent: 'center',
      }}
    >
      <div style={{ width: 2, background: '#b0bec5', borderRadius: 1 }} />
    </div>
  );
  /* eslint-enable jsx-a11y/no-noninteractive-element-interactions, jsx-a11y/no-noninteractive-tabindex */
}
