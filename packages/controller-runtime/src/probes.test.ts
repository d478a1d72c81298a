import { parseBindAddress, probe } from './probes';

describe('parseBindAddress', () => {
  it("takes controller-runtime's forms", () => {
    expect(parseBindAddress(':8080')).toEqual({ host: undefined, port: 8080 });
    expect(parseBindAddress('127.0.0.1:0')).toEqual({
      host: '127.0.0.1',
      port: 0,
    });
    expect(parseBindAddress('[::1]:8081')).toEqual({ host: '::1', port: 8081 });
    expect(parseBindAddress('0')).toBeUndefined();
  });

  it('says what is wrong with anything else', () => {
    for (const bad of ['8080', 'localhost', ':http', ':70000', ''])
      expect(() => parseBindAddress(bad)).toThrow(
        `bind address ${JSON.stringify(bad)} is not host:port, :port or 0`,
      );
  });
});

describe('probe', () => {
  it('answers ok when every check passes, else lists each check', async () => {
    expect(await probe({ ping: () => undefined })()).toEqual({
      status: 200,
      contentType: 'text/plain',
      body: 'ok',
    });
    const failing = await probe({
      ping: () => undefined,
      informers: () => 'informers not synced: /api/v1/pods',
    })();
    expect(failing.status).toBe(500);
    expect(failing.body).toBe(
      '[+]ping ok\n[-]informers failed: informers not synced: /api/v1/pods\nhealthz check failed\n',
    );
  });
});
