import { eventName } from './eventName';

describe('eventName', () => {
  it('is the involved name and the time in nanoseconds, in hex', () => {
    const at = new Date('2030-01-01T00:00:00.000Z');
    const [name, hex] = eventName('web-1', at).split('.');
    expect(name).toBe('web-1');
    expect(BigInt(`0x${hex}`) / 1_000_000n).toBe(BigInt(at.getTime()));
  });

  it('sorts events of the same millisecond in the order they were made', () => {
    const at = new Date();
    const names = ['Pulling', 'Pulled', 'Created', 'Started'].map(() =>
      eventName('web-1', at),
    );
    expect([...names].sort()).toEqual(names);
    expect(new Set(names).size).toBe(names.length);
  });
});
