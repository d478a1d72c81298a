import type { DebugPhase } from '@cairn/operators-api';
import {
  DebugSessionSummary,
  TERMINAL_CLOSE_CODES,
} from '@cairn/plugin-debug-terminal-common';

/*
 * What the terminal shows about its session, as plain functions: the
 * countdown to the session's expiry and why a terminal ended.
 */

/** The countdown to a session's expiry, as the terminal's header shows it. */
export interface Countdown {
  /** "59:58 left", "1:02:03 left", "expired". */
  text: string;
  expired: boolean;
  /** Under a minute left: worth a warning colour. */
  urgent: boolean;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The time left until `expiresAt` at `now` (ms); undefined without an expiry. */
export function countdown(
  expiresAt: string | undefined,
  now: number,
): Countdown | undefined {
  if (!expiresAt) return undefined;
  const end = Date.parse(expiresAt);
  if (Number.isNaN(end)) return undefined;
  const left = Math.ceil((end - now) / 1000);
  if (left <= 0) return { text: 'expired', expired: true, urgent: true };
  const hours = Math.floor(left / 3600);
  const minutes = Math.floor((left % 3600) / 60);
  const seconds = left % 60;
  const text = hours
    ? `${hours}:${pad(minutes)}:${pad(seconds)} left`
    : `${minutes}:${pad(seconds)} left`;
  return { text, expired: false, urgent: left < 60 };
}

/** Why a terminal ended, from its socket's close code and reason. */
export interface TerminalEnd {
  /** One line saying what happened. */
  title: string;
  /** The server's reason, when it gave one. */
  detail?: string;
  severity: 'info' | 'warning' | 'error';
  /** Opening the socket again may work (it ended by time or connection, not by refusal). */
  canReconnect: boolean;
}

const ENDS: Record<number, Omit<TerminalEnd, 'detail'>> = {
  1000: {
    title: 'You closed the terminal',
    severity: 'info',
    canReconnect: true,
  },
  1001: {
    title: 'The portal went away (restart or navigation)',
    severity: 'warning',
    canReconnect: true,
  },
  1006: {
    title: 'The connection was lost',
    severity: 'warning',
    canReconnect: true,
  },
  [TERMINAL_CLOSE_CODES.ended]: {
    title: 'The process ended',
    severity: 'info',
    canReconnect: true,
  },
  [TERMINAL_CLOSE_CODES.unauthenticated]: {
    title: 'Not signed in',
    severity: 'error',
    canReconnect: false,
  },
  [TERMINAL_CLOSE_CODES.forbidden]: {
    title: 'Not allowed',
    severity: 'error',
    canReconnect: false,
  },
  [TERMINAL_CLOSE_CODES.notFound]: {
    title: 'Not found',
    severity: 'error',
    canReconnect: false,
  },
  [TERMINAL_CLOSE_CODES.notActive]: {
    title: 'The session is not active',
    severity: 'warning',
    canReconnect: false,
  },
  [TERMINAL_CLOSE_CODES.badRequest]: {
    title: 'The portal sent a bad request',
    severity: 'error',
    canReconnect: false,
  },
  [TERMINAL_CLOSE_CODES.tooMany]: {
    title: 'Too many terminals open',
    severity: 'warning',
    canReconnect: true,
  },
  [TERMINAL_CLOSE_CODES.idle]: {
    title: 'Closed for inactivity',
    severity: 'info',
    canReconnect: true,
  },
  [TERMINAL_CLOSE_CODES.clusterError]: {
    title: 'The cluster refused or broke the terminal',
    severity: 'error',
    canReconnect: true,
  },
};

/** What a close code and reason mean to the user. */
export function describeClose(code: number, reason: string): TerminalEnd {
  const known = ENDS[code] ?? {
    title: `The terminal closed (code ${code})`,
    severity: 'warning',
    canReconnect: true,
  };
  // "the process ended" under "The process ended" says nothing more.
  const adds = reason && reason.toLowerCase() !== known.title.toLowerCase();
  return adds ? { ...known, detail: reason } : { ...known };
}

/** Whether a session can still be attached to or ended (the controller has not finished it). */
export function isSessionOpen(phase: DebugPhase | undefined): boolean {
  return phase === undefined || phase === 'Pending' || phase === 'Active';
}

/** The entity's sessions split into open (Pending, Active) and past ones, each newest first. */
export function splitSessions<T extends Pick<DebugSessionSummary, 'phase'>>(
  items: readonly T[],
): { open: T[]; past: T[] } {
  return {
    open: items.filter(s => isSessionOpen(s.phase)),
    past: items.filter(s => !isSessionOpen(s.phase)),
  };
}
