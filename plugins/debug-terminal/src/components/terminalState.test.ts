import { TERMINAL_CLOSE_CODES } from '@cairn/plugin-debug-terminal-common';
import {
  countdown,
  describeClose,
  isSessionOpen,
  splitSessions,
} from './terminalState';

describe('countdown', () => {
  const expiresAt = '2026-12-07T12:00:00.000Z';
  const at = (iso: string) => Date.parse(iso);

  it('counts minutes and seconds, and hours past an hour', () => {
    expect(countdown(expiresAt, at('2026-12-07T11:58:30.000Z'))).toEqual({
      text: '1:30 left',
      expired: false,
      urgent: false,
    });
    expect(countdown(expiresAt, at('2026-12-07T09:57:57.000Z'))).toEqual({
      text: '2:02:03 left',
      expired: false,
      urgent: false,
    });
  });

  it('rounds a part second up, and is urgent in the last minute', () => {
    expect(countdown(expiresAt, at('2026-12-07T11:59:00.500Z'))).toEqual({
      text: '1:00 left',
      expired: false,
      urgent: false,
    });
    expect(countdown(expiresAt, at('2026-12-07T11:59:01.000Z'))).toEqual({
      text: '0:59 left',
      expired: false,
      urgent: true,
    });
  });

  it('is expired at and after the expiry', () => {
    expect(countdown(expiresAt, at(expiresAt))).toEqual({
      text: 'expired',
      expired: true,
      urgent: true,
    });
    expect(countdown(expiresAt, at('2026-12-08T00:00:00.000Z'))?.expired).toBe(
      true,
    );
  });

  it('has nothing to count without an expiry', () => {
    expect(countdown(undefined, 0)).toBeUndefined();
    expect(countdown('soon', 0)).toBeUndefined();
  });
});

describe('describeClose', () => {
  it('says the session expired, with the server’s reason, and offers no reconnect', () => {
    expect(
      describeClose(TERMINAL_CLOSE_CODES.notActive, 'the session has expired'),
    ).toEqual({
      title: 'The session is not active',
      detail: 'the session has expired',
      severity: 'warning',
      canReconnect: false,
    });
  });

  it('refuses to reconnect after a refusal, offers it after a lost connection or an ended process', () => {
    expect(
      describeClose(TERMINAL_CLOSE_CODES.forbidden, 'not allowed').canReconnect,
    ).toBe(false);
    expect(describeClose(TERMINAL_CLOSE_CODES.unauthenticated, '')).toEqual({
      title: 'Not signed in',
      severity: 'error',
      canReconnect: false,
    });
    expect(describeClose(1006, '')).toMatchObject({
      title: 'The connection was lost',
      canReconnect: true,
    });
    expect(
      describeClose(TERMINAL_CLOSE_CODES.ended, 'the process ended: exit 2'),
    ).toMatchObject({
      title: 'The process ended',
      detail: 'the process ended: exit 2',
      canReconnect: true,
    });
  });

  it('leaves out a reason that only repeats the title', () => {
    expect(
      describeClose(TERMINAL_CLOSE_CODES.ended, 'the process ended'),
    ).toEqual({
      title: 'The process ended',
      severity: 'info',
      canReconnect: true,
    });
  });

  it('names a code it does not know', () => {
    expect(describeClose(4999, 'odd')).toEqual({
      title: 'The terminal closed (code 4999)',
      detail: 'odd',
      severity: 'warning',
      canReconnect: true,
    });
  });
});

describe('sessions', () => {
  it('are open while Pending or Active (or not seen by the controller yet)', () => {
    expect(isSessionOpen(undefined)).toBe(true);
    expect(isSessionOpen('Pending')).toBe(true);
    expect(isSessionOpen('Active')).toBe(true);
    expect(isSessionOpen('Expired')).toBe(false);
    expect(isSessionOpen('Failed')).toBe(false);
    expect(isSessionOpen('Ended')).toBe(false);
  });

  it('split into open and past, keeping their order', () => {
    const items = [
      { name: 'a', phase: 'Active' as const },
      { name: 'b', phase: 'Expired' as const },
      { name: 'c', phase: undefined },
      { name: 'd', phase: 'Ended' as const },
    ];
    const { open, past } = splitSessions(items);
    expect(open.map(s => s.name)).toEqual(['a', 'c']);
    expect(past.map(s => s.name)).toEqual(['b', 'd']);
  });
});
