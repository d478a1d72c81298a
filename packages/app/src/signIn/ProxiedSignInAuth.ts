import {
  BackstageIdentityApi,
  BackstageIdentityResponse,
  BackstageUserIdentity,
  DiscoveryApi,
  ProfileInfo,
  ProfileInfoApi,
  SessionApi,
  SessionState,
} from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { Observable, Observer } from '@backstage/types';

/** What a proxy provider's GET /api/auth/<provider>/refresh answers. */
type RefreshResponse = {
  profile: ProfileInfo;
  backstageIdentity: {
    token: string;
    expiresInSeconds?: number;
    identity: BackstageUserIdentity;
  };
};

type Session = {
  profile: ProfileInfo;
  backstageIdentity: BackstageIdentityResponse;
};

/** A session is renewed this long before its token expires. */
const RENEW_BEFORE_EXPIRY_MS = 5 * 60 * 1000;

/**
 * The app's side of a proxy auth provider (Backstage's guest shape, here
 * Cairn's "Ops (demo)"): there is no popup and no cookie, the session is
 * whatever `GET /api/auth/<provider>/refresh` answers, fetched again shortly
 * before its token expires. It gives the sign-in page the auth API a
 * provider card needs. Backstage has this client only inside its guest and
 * ProxiedSignInPage components (not exported), and its OAuth clients expect
 * an OAuth provider's tokens.
 */
export class ProxiedSignInAuth
  implements ProfileInfoApi, BackstageIdentityApi, SessionApi
{
  private session?: { value: Promise<Session>; renewAt?: number };
  private signedIn = false;
  private readonly observers = new Set<Observer<SessionState>>();

  constructor(
    private readonly options: { discoveryApi: DiscoveryApi; provider: string },
  ) {}

  // The backend decides every time; there is no session of ours to be
  // optional about, so `optional` asks the same as a sign-in.
  async getBackstageIdentity(): Promise<BackstageIdentityResponse> {
    return (await this.getSession()).backstageIdentity;
  }

  async getProfile(): Promise<ProfileInfo> {
    return (await this.getSession()).profile;
  }

  async signIn(): Promise<void> {
    await this.getSession();
  }

  async signOut(): Promise<void> {
    this.session = undefined;
    this.setSignedIn(false);
  }

  sessionState$(): Observable<SessionState> {
    const subscribe = (
      observerOrNext?: Observer<SessionState> | ((state: SessionState) => void),
    ) => {
      const observer =
        typeof observerOrNext === 'function'
          ? { next: observerOrNext }
          : observerOrNext ?? {};
      this.observers.add(observer);
      observer.next?.(this.state());
      let closed = false;
      return {
        unsubscribe: () => {
          closed = true;
          this.observers.delete(observer);
        },
        get closed() {
          return closed;
        },
      };
    };
    const observable = {
      subscribe,
      [Symbol.observable]: () => observable,
    } as Observable<SessionState>;
    return observable;
  }

  private state(): SessionState {
    return this.signedIn ? SessionState.SignedIn : SessionState.SignedOut;
  }

  private setSignedIn(signedIn: boolean) {
    if (signedIn === this.signedIn) return;
    this.signedIn = signedIn;
    for (const observer of this.observers) observer.next?.(this.state());
  }

  private getSession(): Promise<Session> {
    const current = this.session;
    if (
      current &&
      (current.renewAt === undefined || Date.now() < current.renewAt)
    ) {
      return current.value;
    }
    const value = this.fetchSession();
    const next: { value: Promise<Session>; renewAt?: number } = { value };
    this.session = next;
    value.then(
      session => {
        const expiresAt = session.backstageIdentity.expiresAt?.getTime();
        next.renewAt =
          expiresAt === undefined
            ? Number.POSITIVE_INFINITY
            : expiresAt - RENEW_BEFORE_EXPIRY_MS;
        this.setSignedIn(true);
      },
      () => {
        if (this.session === next) this.session = undefined;
      },
    );
    return value;
  }

  private async fetchSession(): Promise<Session> {
    const baseUrl = await this.options.discoveryApi.getBaseUrl('auth');
    const response = await fetch(
      `${baseUrl}/${this.options.provider}/refresh`,
      {
        headers: { 'X-Requested-With': 'XMLHttpRequest' },
        credentials: 'include',
      },
    );
    if (!response.ok) {
      // The sign-in page shows the error's message: make it the server's
      // reason (e.g. why a peer was refused), not "Request failed with 403".
      throw (await ResponseError.fromResponse(response)).cause;
    }
    const { profile, backstageIdentity }: RefreshResponse =
      await response.json();
    return {
      profile,
      backstageIdentity: {
        token: backstageIdentity.token,
        identity: backstageIdentity.identity,
        expiresAt:
          backstageIdentity.expiresInSeconds === undefined
            ? undefined
            : new Date(Date.now() + backstageIdentity.expiresInSeconds * 1000),
      },
    };
  }
}
