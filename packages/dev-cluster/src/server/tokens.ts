import {
  createHash,
  createPrivateKey,
  createPublicKey,
  KeyObject,
  randomUUID,
  sign,
  verify,
} from 'node:crypto';

/*
 * ServiceAccount tokens: RS256 JWTs signed with the cluster's service-account
 * key, with the claims kube-apiserver puts in bound tokens (TokenRequest).
 */

export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
export const DEFAULT_AUDIENCES = [DEFAULT_ISSUER];

export interface ServiceAccountRef {
  namespace: string;
  name: string;
  uid: string;
}

export interface BoundObjectRef {
  kind: string;
  apiVersion?: string;
  name: string;
  uid: string;
}

export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': {
    namespace: string;
    serviceaccount: { name: string; uid: string };
    pod?: { name: string; uid: string };
    secret?: { name: string; uid: string };
  };
}

const b64url = (data: Buffer | string) =>
  Buffer.from(data).toString('base64url');

export class ServiceAccountTokens {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  /** The JWT `kid`: identifies the signing key, as kube-apiserver's key id does. */
  private readonly keyId: string;

  constructor(privateKeyPem: string, private readonly issuer = DEFAULT_ISSUER) {
    this.privateKey = createPrivateKey(privateKeyPem);
    this.publicKey = createPublicKey(this.privateKey);
    this.keyId = b64url(
      createHash('sha256')
        .update(this.publicKey.export({ type: 'spki', format: 'der' }))
        .digest(),
    );
  }

  issue(
    account: ServiceAccountRef,
    options: {
      audiences?: string[];
      expirationSeconds: number;
      boundObject?: BoundObjectRef;
      now?: Date;
    },
  ): { token: string; claims: TokenClaims } {
    const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
    const claims: TokenClaims = {
      iss: this.issuer,
      sub: `system:serviceaccount:${account.namespace}:${account.name}`,
      aud: options.audiences?.length ? options.audiences : DEFAULT_AUDIENCES,
      exp: iat + options.expirationSeconds,
      iat,
      nbf: iat,
      jti: randomUUID(),
      'kubernetes.io': {
        namespace: account.namespace,
        serviceaccount: { name: account.name, uid: account.uid },
      },
    };
    const bound = options.boundObject;
    if (bound?.kind === 'Pod')
      claims['kubernetes.io'].pod = { name: bound.name, uid: bound.uid };
    if (bound?.kind === 'Secret') {
      claims['kubernetes.io'].secret = { name: bound.name, uid: bound.uid };
    }
    const header = b64url(JSON.stringify({ alg: 'RS256', kid: this.keyId }));
    const payload = b64url(JSON.stringify(claims));
    const signature = sign(
      'sha256',
      Buffer.from(`${header}.${payload}`),
      this.privateKey,
    );
    return { token: `${header}.${payload}.${b64url(signature)}`, claims };
  }

  /**
   * The claims of a token this cluster signed that is valid now for one of
   * `audiences`; undefined otherwise.
   */
  verify(
    token: string,
    audiences: string[] = DEFAULT_AUDIENCES,
    now = new Date(),
  ): TokenClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [header, payload, signature] = parts;
    try {
      const valid = verify(
        'sha256',
        Buffer.from(`${header}.${payload}`),
        this.publicKey,
        Buffer.from(signature, 'base64url'),
      );
      if (!valid) return undefined;
      const alg = JSON.parse(Buffer.from(header, 'base64url').toString()).alg;
      if (alg !== 'RS256') return undefined;
      const claims = JSON.parse(
        Buffer.from(payload, 'base64url').toString(),
      ) as TokenClaims;
      const seconds = now.getTime() / 1000;
      if (claims.iss !== this.issuer || !claims['kubernetes.io'])
        return undefined;
      if (claims.exp <= seconds || claims.nbf > seconds + 60) return undefined;
      if (!claims.aud.some(a => audiences.includes(a))) return undefined;
      return claims;
    } catch {
      return undefined;
    }
  }
}
