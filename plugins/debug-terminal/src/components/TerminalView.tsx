import { useEffect, useRef, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import {
  Box,
  Button,
  Chip,
  IconButton,
  InputAdornment,
  makeStyles,
  TextField,
  Tooltip,
  Typography,
} from '@material-ui/core';
import { Alert, AlertTitle } from '@material-ui/lab';
import ArrowDownwardIcon from '@material-ui/icons/ArrowDownward';
import ArrowUpwardIcon from '@material-ui/icons/ArrowUpward';
import FileCopyIcon from '@material-ui/icons/FileCopy';
import AssignmentIcon from '@material-ui/icons/Assignment';
import RefreshIcon from '@material-ui/icons/Refresh';
import SearchIcon from '@material-ui/icons/Search';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { WebLinksAddon } from '@xterm/addon-web-links';
import '@xterm/xterm/css/xterm.css';
import { debugTerminalApiRef, TerminalTarget } from '../api';
import { countdown, describeClose, TerminalEnd } from './terminalState';

const useStyles = makeStyles(theme => ({
  root: {
    display: 'flex',
    flexDirection: 'column',
    height: '100%',
    minHeight: 0,
  },
  toolbar: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    padding: theme.spacing(1, 0),
  },
  grow: { flex: 1 },
  screen: {
    flex: 1,
    minHeight: 0,
    backgroundColor: '#000',
    padding: theme.spacing(0.5),
    '& .xterm': { height: '100%' },
  },
}));

type Connection = 'connecting' | 'open' | 'ended';

/** Ticks every second, for the countdown. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

export interface TerminalViewProps {
  target: TerminalTarget;
  /** The session's expiry, counted down in the toolbar. */
  expiresAt?: string;
  /** Called once the terminal has ended, with why. */
  onEnded?(end: TerminalEnd): void;
}

/**
 * A terminal into a container: xterm.js with fit, search and web links,
 * copy/paste, the countdown to the session's expiry, why it ended, and
 * reconnect. Keystrokes go to the socket as binary frames, the size as
 * `{"type":"resize"}` text frames.
 */
export function TerminalView({
  target,
  expiresAt,
  onEnded,
}: TerminalViewProps) {
  const classes = useStyles();
  const api = useApi(debugTerminalApiRef);
  const screen = useRef<HTMLDivElement>(null);
  const terminal = useRef<Terminal>();
  const search = useRef<SearchAddon>();
  const [attempt, setAttempt] = useState(0);
  const [connection, setConnection] = useState<Connection>('connecting');
  const [end, setEnd] = useState<TerminalEnd>();
  const [query, setQuery] = useState('');
  const now = useNow();
  const left = countdown(expiresAt, now);
  const onEndedRef = useRef(onEnded);
  onEndedRef.current = onEnded;

  useEffect(() => {
    const element = screen.current;
    if (!element) return undefined;
    setConnection('connecting');
    setEnd(undefined);
    const term = new Terminal({
      cursorBlink: true,
      scrollback: 10000,
      fontFamily: 'Menlo, Consolas, "DejaVu Sans Mono", monospace',
      fontSize: 14,
    });
    const fit = new FitAddon();
    const searchAddon = new SearchAddon();
    term.loadAddon(fit);
    term.loadAddon(searchAddon);
    term.loadAddon(new WebLinksAddon());
    term.open(element);
    fit.fit();
    terminal.current = term;
    search.current = searchAddon;

    let socket: WebSocket | undefined;
    let disposed = false;
    const finish = (ended: TerminalEnd) => {
      if (disposed) return;
      setEnd(ended);
      setConnection('ended');
      onEndedRef.current?.(ended);
    };
    const encoder = new TextEncoder();
    const input = term.onData(data => {
      if (socket?.readyState === WebSocket.OPEN)
        socket.send(encoder.encode(data));
    });
    const resize = term.onResize(({ cols, rows }) => {
      if (socket?.readyState === WebSocket.OPEN)
        socket.send(JSON.stringify({ type: 'resize', cols, rows }));
    });
    // Ctrl+Shift+C / Ctrl+Shift+V copy and paste, as in desktop terminals
    // (Ctrl+C stays the process's interrupt).
    term.attachCustomKeyEventHandler(event => {
      if (event.type !== 'keydown' || !event.ctrlKey || !event.shiftKey)
        return true;
      if (event.code === 'KeyC') {
        navigator.clipboard?.writeText(term.getSelection());
        return false;
      }
      if (event.code === 'KeyV') {
        navigator.clipboard?.readText().then(text => term.paste(text));
        return false;
      }
      return true;
    });
    const observer = new ResizeObserver(() => fit.fit());
    observer.observe(element);

    api
      .openTerminal(target, { cols: term.cols, rows: term.rows })
      .then(opened => {
        if (disposed) {
          opened.close(1000);
          return;
        }
        socket = opened;
        opened.onopen = () => {
          setConnection('open');
          term.focus();
        };
        opened.onmessage = event => {
          term.write(
            typeof event.data === 'string'
              ? event.data
              : new Uint8Array(event.data as ArrayBuffer),
          );
        };
        opened.onclose = event =>
          finish(describeClose(event.code, event.reason));
      })
      .catch(error =>
        finish({
          title: 'Could not open the terminal',
          detail: (error as Error).message,
          severity: 'error',
          canReconnect: true,
        }),
      );

    return () => {
      disposed = true;
      observer.disconnect();
      input.dispose();
      resize.dispose();
      if (socket && socket.readyState <= WebSocket.OPEN) socket.close(1000);
      term.dispose();
      terminal.current = undefined;
    };
  }, [api, target, attempt]);

  const copy = () => {
    const selection = terminal.current?.getSelection();
    if (selection) navigator.clipboard?.writeText(selection);
    terminal.current?.focus();
  };
  const paste = async () => {
    const text = await navigator.clipboard?.readText();
    if (text) terminal.current?.paste(text);
    terminal.current?.focus();
  };

  return (
    <div className={classes.root}>
      <div className={classes.toolbar}>
        <Chip
          size="small"
          label={
            { connecting: 'Connecting…', open: 'Connected', ended: 'Ended' }[
              connection
            ]
          }
          color={connection === 'open' ? 'primary' : 'default'}
        />
        {left && (
          <Tooltip title={`The session expires at ${expiresAt}`}>
            <Chip
              size="small"
              aria-label="Time left"
              label={left.text}
              color={left.urgent ? 'secondary' : 'default'}
            />
          </Tooltip>
        )}
        <div className={classes.grow} />
        <TextField
          size="small"
          variant="outlined"
          placeholder="Search"
          inputProps={{ 'aria-label': 'Search the terminal' }}
          value={query}
          onChange={e => setQuery(e.target.value)}
          onKeyDown={e => {
            if (e.key === 'Enter') {
              if (e.shiftKey) search.current?.findPrevious(query);
              else search.current?.findNext(query);
            }
          }}
          InputProps={{
            startAdornment: (
              <InputAdornment position="start">
                <SearchIcon fontSize="small" />
              </InputAdornment>
            ),
          }}
        />
        <IconButton
          size="small"
          aria-label="Previous match"
          onClick={() => search.current?.findPrevious(query)}
        >
          <ArrowUpwardIcon fontSize="small" />
        </IconButton>
        <IconButton
          size="small"
          aria-label="Next match"
          onClick={() => search.current?.findNext(query)}
        >
          <ArrowDownwardIcon fontSize="small" />
        </IconButton>
        <Tooltip title="Copy the selection (Ctrl+Shift+C)">
          <IconButton size="small" aria-label="Copy" onClick={copy}>
            <FileCopyIcon fontSize="small" />
          </IconButton>
        </Tooltip>
        <Tooltip title="Paste (Ctrl+Shift+V)">
          <IconButton size="small" aria-label="Paste" onClick={paste}>
            <AssignmentIcon fontSize="small" />
          </IconButton>
        </Tooltip>
      </div>
      {end && (
        <Box mb={1}>
          <Alert
            severity={end.severity}
            action={
              end.canReconnect && !left?.expired ? (
                <Button
                  color="inherit"
                  size="small"
                  startIcon={<RefreshIcon />}
                  onClick={() => setAttempt(n => n + 1)}
                >
                  Reconnect
                </Button>
              ) : undefined
            }
          >
            <AlertTitle>{end.title}</AlertTitle>
            {end.detail && (
              <Typography variant="body2">{end.detail}</Typography>
            )}
          </Alert>
        </Box>
      )}
      <div
        className={classes.screen}
        ref={screen}
        role="region"
        aria-label="Terminal"
      />
    </div>
  );
}
