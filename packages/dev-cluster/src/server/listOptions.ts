import { badRequest } from './status';

/*
 * Query parameters of list and watch, and the opaque continue token (the
 * shape kube-apiserver uses: base64 JSON of the list's resourceVersion and the
 * key to start from).
 */

export interface ContinueToken {
  resourceVersion: number;
  startAfter: string;
}

export function encodeContinue(token: ContinueToken): string {
  return Buffer.from(
    JSON.stringify({
      v: 'meta.k8s.io/v1',
      rv: token.resourceVersion,
      start: `${token.startAfter}\u0000`,
    }),
  ).toString('base64');
}

export function decodeContinue(value: string): ContinueToken {
  let parsed: any;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
  } catch {
    throw badRequest(
      'continue key is not valid: invalid character in continue token',
    );
  }
  if (parsed?.v !== 'meta.k8s.io/v1') {
    throw badRequest(
      'continue key is not valid: server does not recognize this encoded key',
    );
  }
  if (
    typeof parsed.rv !== 'number' ||
    parsed.rv <= 0 ||
    typeof parsed.start !== 'string'
  ) {
    throw badRequest(
      'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
    );
  }
  return {
    resourceVersion: parsed.rv,
    startAfter: parsed.start.endsWith('\u0000')
      ? parsed.start.slice(0, -1)
      : parsed.start,
  };
}

/** A resourceVersion query parameter as a number; 400 when it is not one. */
export function parseResourceVersion(value: string): number {
  if (!/^\d+$/.test(value)) {
    throw badRequest(`invalid resource version: ${value}`);
  }
  return Number(value);
}

export function parseNonNegativeInt(
  name: string,
  value: string | null,
): number | undefined {
  if (value === null || value === '') return undefined;
  if (!/^-?\d+$/.test(value)) {
    throw badRequest(`invalid value for ${name}: ${value}`);
  }
  return Number(value);
}
