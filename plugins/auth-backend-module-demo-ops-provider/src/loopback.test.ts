import { isLoopbackAddress } from './loopback';

describe('isLoopbackAddress', () => {
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '::1',
    '0:0:0:0:0:0:0:1',
    '::ffff:127.0.0.1',
  ])('treats %s as this machine', address =>
    expect(isLoopbackAddress(address)).toBe(true),
  );
  it.each([
    '192.0.2.2',
    '10.0.0.1',
    '::ffff:192.0.2.2',
    'fe80::1',
    '::',
    '0.0.0.0',
    '',
    undefined,
  ])('treats %s as another machine', address =>
    expect(isLoopbackAddress(address)).toBe(false),
  );
});
