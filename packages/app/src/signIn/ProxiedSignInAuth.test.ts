import { SessionState } from '@backstage/core-plugin-api';
import { ProxiedSignInAuth } from './ProxiedSignInAuth';

const discoveryApi = {
  getBaseUrl: async (pluginId: string) =>
    `http://localhost:7007/api/${pluginId}`,
};

const identity = {
  type: 'user' as const,
  userEntityRef: 'user:default/alice',
  ownershipEntityRefs: ['user:default/alice', 'group:default/ops'],
};

/** The backend's answer to GET /api/auth/demoOps/refresh. */
const refreshed = (token: string, expiresInSeconds: number) =>
  new Response(
    JSON.stringify({
      profile: { displayName: 'Alice Ops', email: 'alice@acme.example' },
      backstageIdentity: { token, expiresInSeconds, identity },
    }),
    { status: 200, headers: { 'Content-Type': 'application/json' } },
  );

describe('ProxiedSignInAuth', () => {
  const fetchMock = jest.fn<Promise<Response>, [string, RequestInit]>();
  beforeEach(() => {
    fetchMock.mockReset();
    global.fetch = fetchMock as unknown as typeof fetch;
  });
  const auth = () =>
    new ProxiedSignInAuth({ discoveryApi, provider: 'demoOps' });

  it("signs in with the provider's refresh endpoint and keeps the session until shortly before it expires", async () => {
    fetchMock.mockResolvedValueOnce(refreshed('token-1', 3600));
    const api = auth();

    const response = await api.getBackstageIdentity();
    expect(response).toEqual({
      token: 'token-1',
      identity,
      expiresAt: expect.any(Date),
    });
    expect(response.expiresAt!.getTime()).toBeGreaterThan(
      Date.now() + 3500 * 1000,
    );
    await expect(api.getProfile()).resolves.toEqual({
      displayName: 'Alice Ops',
      email: 'alice@acme.example',
    });
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(fetchMock).toHaveBeenCalledWith(
      'http://localhost:7007/api/auth/demoOps/refresh',
      expect.objectContaining({
        headers: { 'X-Requested-With': 'XMLHttpRequest' },
      }),
    );
  });

  it('asks again once the token is within five minutes of expiring', async () => {
    fetchMock
      .mockResolvedValueOnce(refreshed('token-1', 60))
      .mockResolvedValueOnce(refreshed('token-2', 3600));
    const api = auth();
    expect((await api.getBackstageIdentity()).token).toBe('token-1');
    expect((await api.getBackstageIdentity()).token).toBe('token-2');
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });

  it("rejects with the server's refusal, and tries again next time", async () => {
    fetchMock
      .mockResolvedValueOnce(
        new Response(
          JSON.stringify({
            error: {
              name: 'NotAllowedError',
              message: 'Ops demo sign-in is only possible from this machine',
            },
            response: { statusCode: 403 },
          }),
          { status: 403, headers: { 'Content-Type': 'application/json' } },
        ),
      )
      .mockResolvedValueOnce(refreshed('token-1', 3600));
    const api = auth();
    await expect(api.getBackstageIdentity()).rejects.toThrow(
      'Ops demo sign-in is only possible from this machine',
    );
    expect((await api.getBackstageIdentity()).token).toBe('token-1');
  });

  it('reports signing in and out to session state subscribers', async () => {
    fetchMock.mockResolvedValueOnce(refreshed('token-1', 3600));
    const api = auth();
    const states: SessionState[] = [];
    const subscription = api.sessionState$().subscribe(s => states.push(s));
    await api.signIn();
    await api.signOut();
    subscription.unsubscribe();
    expect(subscription.closed).toBe(true);
    expect(states).toEqual([
      SessionState.SignedOut,
      SessionState.SignedIn,
      SessionState.SignedOut,
    ]);
  });
});
