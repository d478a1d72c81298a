import { useEffect, useRef, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  Box,
  Button,
  Dialog,
  DialogContent,
  DialogTitle,
  IconButton,
  makeStyles,
  MenuItem,
  Select,
  Typography,
} from '@material-ui/core';
import CloseIcon from '@material-ui/icons/Close';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import type { TerminalRecordingSummary } from '@cairn/plugin-debug-terminal-common';
import { debugTerminalApiRef } from '../api';
import {
  Asciicast,
  framesBetween,
  parseAsciicast,
  typedInput,
} from './asciicast';

const useStyles = makeStyles(theme => ({
  title: { display: 'flex', alignItems: 'center', gap: theme.spacing(1) },
  grow: { flex: 1 },
  content: { display: 'flex', flexDirection: 'column', height: '100%' },
  controls: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    paddingBottom: theme.spacing(1),
  },
  screen: {
    flex: 1,
    minHeight: 0,
    backgroundColor: '#000',
    padding: theme.spacing(0.5),
    overflow: 'auto',
  },
  typed: {
    maxHeight: '20vh',
    overflow: 'auto',
    whiteSpace: 'pre-wrap',
    fontFamily: 'monospace',
  },
}));

/** How often the player advances. */
const TICK_MS = 50;

/** Plays a recording into a read-only xterm at a chosen speed. */
function Player({ cast }: { cast: Asciicast }) {
  const classes = useStyles();
  const screen = useRef<HTMLDivElement>(null);
  const terminal = useRef<Terminal>();
  const [position, setPosition] = useState(0);
  const [playing, setPlaying] = useState(true);
  const [speed, setSpeed] = useState(1);
  const shown = useRef(-Infinity);

  useEffect(() => {
    if (!screen.current) return undefined;
    const term = new Terminal({
      cols: cast.header.width,
      rows: cast.header.height,
      disableStdin: true,
      scrollback: 10000,
    });
    term.open(screen.current);
    terminal.current = term;
    shown.current = -Infinity;
    return () => term.dispose();
  }, [cast]);

  // Writes what happened since the last position; going back starts over.
  useEffect(() => {
    const term = terminal.current;
    if (!term) return;
    if (position < shown.current) {
      term.reset();
      shown.current = -Infinity;
    }
    for (const frame of framesBetween(cast.events, shown.current, position)) {
      if ('output' in frame) term.write(frame.output);
      else term.resize(frame.cols, frame.rows);
    }
    shown.current = position;
  }, [cast, position]);

  useEffect(() => {
    if (!playing) return undefined;
    const timer = setInterval(() => {
      setPosition(p => {
        const next = p + (TICK_MS / 1000) * speed;
        if (next >= cast.duration) {
          setPlaying(false);
          return cast.duration;
        }
        return next;
      });
    }, TICK_MS);
    return () => clearInterval(timer);
  }, [playing, speed, cast]);

  const typed = typedInput(cast.events);
  return (
    <>
      <div className={classes.controls}>
        <Button
          variant="outlined"
          onClick={() => {
            if (!playing && position >= cast.duration) setPosition(0);
            setPlaying(!playing);
          }}
        >
          {playing ? 'Pause' : 'Play'}
        </Button>
        <Button
          onClick={() => {
            setPlaying(false);
            setPosition(cast.duration);
          }}
        >
          Skip to end
        </Button>
        <Select
          value={speed}
          onChange={e => setSpeed(Number(e.target.value))}
          inputProps={{ 'aria-label': 'Speed' }}
        >
          {[1, 2, 4, 8].map(s => (
            <MenuItem key={s} value={s}>
              {s}×
            </MenuItem>
          ))}
        </Select>
        <Typography variant="body2">
          {position.toFixed(1)} s / {cast.duration.toFixed(1)} s
        </Typography>
      </div>
      <div
        className={classes.screen}
        ref={screen}
        role="region"
        aria-label="Replay"
      />
      <Box mt={1}>
        <Typography variant="subtitle2">What was typed</Typography>
        <div className={classes.typed} aria-label="What was typed">
          {typed || '(nothing)'}
        </div>
      </Box>
    </>
  );
}

export interface ReplayDialogProps {
  recording: TerminalRecordingSummary;
  onClose(): void;
}

/** A recorded terminal, replayed (ops). */
export function ReplayDialog({ recording, onClose }: ReplayDialogProps) {
  const classes = useStyles();
  const api = useApi(debugTerminalApiRef);
  const cast = useAsync(
    async () => parseAsciicast(await api.getRecording(recording.id)),
    [api, recording.id],
  );
  return (
    <Dialog open fullScreen onClose={onClose} aria-labelledby="replay-title">
      <DialogTitle
        id="replay-title"
        disableTypography
        className={classes.title}
      >
        <Typography variant="h6">
          Replay: {recording.userEntityRef} on {recording.pod} /{' '}
          {recording.container}
        </Typography>
        <div className={classes.grow} />
        <IconButton aria-label="Close the replay" onClick={onClose}>
          <CloseIcon />
        </IconButton>
      </DialogTitle>
      <DialogContent className={classes.content}>
        {cast.loading && <Progress />}
        {cast.error && <ResponseErrorPanel error={cast.error} />}
        {cast.value && <Player cast={cast.value} />}
      </DialogContent>
    </Dialog>
  );
}
