import { silentLogger } from './logger';
import {
  apiMessage,
  awaitWrite,
  ignoreNotFound,
  reconcileFailure,
  Refused,
  StaleCache,
  statusOf,
} from './apiErrors';

const failure = (code: number, body?: unknown) =>
  Object.assign(new Error(`HTTP-Code: ${code}`), { code, body });

describe('statusOf', () => {
  it("reads client-node's code, or a statusCode", () => {
    expect(statusOf(failure(409))).toBe(409);
    expect(statusOf({ statusCode: 404 })).toBe(404);
    expect(statusOf(new Error('connection refused'))).toBeUndefined();
    expect(statusOf(null)).toBeUndefined();
  });
});

describe('apiMessage', () => {
  it("reads the Status's message from a JSON body, parsed or not", () => {
    const status = { kind: 'Status', message: 'exceeded quota: compute' };
    expect(apiMessage(failure(403, JSON.stringify(status)))).toBe(
      'exceeded quota: compute',
    );
    expect(apiMessage(failure(403, status))).toBe('exceeded quota: compute');
  });

  it("falls back to the error's own message", () => {
    expect(apiMessage(failure(500, 'not json'))).toBe('HTTP-Code: 500');
    expect(apiMessage('plain')).toBe('plain');
  });
});

describe('awaitWrite', () => {
  const options = { what: 'createPod web', stale: [404, 409], refused: [422] };

  it('resolves when the write does', async () => {
    await expect(
      awaitWrite(Promise.resolve({}), options),
    ).resolves.toBeUndefined();
  });

  it('turns a stale status into StaleCache naming the write', async () => {
    const error = await awaitWrite(Promise.reject(failure(409)), options).catch(
      e => e,
    );
    expect(error).toBeInstanceOf(StaleCache);
    expect(error.message).toBe('createPod web: HTTP 409');
  });

  it("turns a refused status into Refused with the API server's message", async () => {
    const error = await awaitWrite(
      Promise.reject(failure(422, { message: 'spec.image: Required value' })),
      options,
    ).catch(e => e);
    expect(error).toBeInstanceOf(Refused);
    expect(error.message).toBe('spec.image: Required value');
  });

  it('passes any other failure through', async () => {
    const other = failure(500);
    await expect(
      awaitWrite(Promise.reject(other), { what: 'x', stale: [409] }),
    ).rejects.toBe(other);
  });
});

describe('ignoreNotFound', () => {
  it('takes 404 as success and passes other failures through', async () => {
    await expect(
      ignoreNotFound(Promise.reject(failure(404))),
    ).resolves.toBeUndefined();
    const other = failure(409);
    await expect(ignoreNotFound(Promise.reject(other))).rejects.toBe(other);
  });
});

describe('reconcileFailure', () => {
  const warned: string[] = [];
  const options = {
    key: 'shop/web',
    logger: silentLogger,
    warn: async (message: string) => {
      warned.push(message);
    },
  };
  beforeEach(() => warned.splice(0));

  it('looks again after a stale write, warning nobody', async () => {
    await expect(
      reconcileFailure(new StaleCache('createPod web: HTTP 409'), options),
    ).resolves.toEqual({ requeue: true });
    expect(warned).toEqual([]);
  });

  it("warns with the error's message, cut to 1024 characters, and throws it", async () => {
    const error = new Error('x'.repeat(2000));
    await expect(reconcileFailure(error, options)).rejects.toBe(error);
    expect(warned).toEqual(['x'.repeat(1024)]);
  });

  it('throws the error even when the warning fails', async () => {
    const error = new Error('boom');
    await expect(
      reconcileFailure(error, {
        ...options,
        warn: () => Promise.reject(new Error('events forbidden')),
      }),
    ).rejects.toBe(error);
  });
});
