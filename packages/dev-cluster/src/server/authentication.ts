import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { ServiceAccountTokens, TokenClaims } from './tokens';

/*
 * Who is calling: from the verified client certificate (user = CN, groups =
 * O) or a bearer ServiceAccount token, as kube-apiserver's x509 and
 * service-account authenticators decide.
 */

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** Checks that a token's ServiceAccount (and bound object) still exist with the same uid. */
export type TokenSubjectCheck = (claims: TokenClaims) => boolean;

export function userFromServiceAccountClaims(claims: TokenClaims): UserInfo {
  const k = claims['kubernetes.io'];
  const extra: Record<string, string[]> = {};
  if (k.pod) {
    extra['authentication.kubernetes.io/pod-name'] = [k.pod.name];
    extra['authentication.kubernetes.io/pod-uid'] = [k.pod.uid];
  }
  extra['authentication.kubernetes.io/credential-id'] = [`JTI=${claims.jti}`];
  return {
    username: claims.sub,
    uid: k.serviceaccount.uid,
    groups: [
      'system:serviceaccounts',
      `system:serviceaccounts:${k.namespace}`,
      'system:authenticated',
    ],
    extra,
  };
}

export class Authenticator {
  constructor(
    private readonly tokens: ServiceAccountTokens,
    private readonly subjectExists: TokenSubjectCheck,
  ) {}

  /** The verified user, or undefined when the request carries no valid credentials. */
  authenticate(req: IncomingMessage): UserInfo | undefined {
    const header = req.headers.authorization;
    if (header) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      // A request with a bad token fails even if it has a valid certificate.
      return match ? this.authenticateToken(match[1]) : undefined;
    }
    return userFromCertificate(req.socket as TLSSocket);
  }

  authenticateToken(token: string, audiences?: string[]): UserInfo | undefined {
    const claims = this.tokens.verify(token, audiences);
    if (!claims || !this.subjectExists(claims)) return undefined;
    return userFromServiceAccountClaims(claims);
  }
}

/** Users by TLS connection: a connection's client certificate never changes, and reading it is costly. */
const certificateUsers = new WeakMap<TLSSocket, UserInfo | null>();

function userFromCertificate(socket: TLSSocket): UserInfo | undefined {
  let user = certificateUsers.get(socket);
  if (user === undefined) {
    user = readCertificateUser(socket) ?? null;
    certificateUsers.set(socket, user);
  }
  return user ?? undefined;
}

function readCertificateUser(socket: TLSSocket): UserInfo | undefined {
  if (!socket.authorized) return undefined;
  const cert = socket.getPeerCertificate();
  const cn = cert?.subject?.CN;
  if (!cn) return undefined;
  const organizations = cert.subject.O;
  const groups =
    organizations === undefined ? [] : ([] as string[]).concat(organizations);
  return { username: String(cn), groups: [...groups, 'system:authenticated'] };
}
