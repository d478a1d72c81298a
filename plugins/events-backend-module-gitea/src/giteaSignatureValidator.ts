import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from '@backstage/config';
import type {
  RequestDetails,
  RequestValidationContext,
  RequestValidator,
} from '@backstage/plugin-events-node';

/** The config key of the shared secret of Gitea/Forgejo webhooks. */
export const GITEA_WEBHOOK_SECRET_KEY = 'events.modules.gitea.webhookSecret';

function headerValue(
  headers: RequestDetails['headers'],
  name: string,
): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Whether `signature` is the hex HMAC-SHA256 of `body` under `secret`. */
export function isValidGiteaSignature(
  secret: string,
  body: Buffer,
  signature: string,
): boolean {
  const expected = createHmac('sha256', secret).update(body).digest();
  // Buffer.from(…, 'hex') stops at the first non-hex character, so a
  // signature that is not exactly 64 hex digits is refused before comparing.
  if (!/^[0-9a-fA-F]{64}$/.test(signature)) {
    return false;
  }
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}

/**
 * Validates Gitea/Forgejo deliveries: Forgejo sends X-Forgejo-Signature and
 * X-Gitea-Signature, Gitea only the latter; both are the bare hex HMAC-SHA256
 * of the raw body. A missing signature is 401, a wrong one 403 (GitHub's
 * module answers 403 for both; 401 tells the sender a signature is expected).
 * Without a configured secret every delivery is refused, never accepted
 * unsigned.
 */
export function createGiteaSignatureValidator(
  config: Config,
): RequestValidator {
  const secret = config.getOptionalString(GITEA_WEBHOOK_SECRET_KEY);
  return async (request: RequestDetails, context: RequestValidationContext) => {
    if (!secret) {
      context.reject({
        status: 403,
        payload: { message: `${GITEA_WEBHOOK_SECRET_KEY} is not configured` },
      });
      return;
    }
    const signature =
      headerValue(request.headers, 'x-forgejo-signature') ??
      headerValue(request.headers, 'x-gitea-signature');
    if (!signature) {
      context.reject({
        status: 401,
        payload: { message: 'missing X-Gitea-Signature' },
      });
      return;
    }
    if (!isValidGiteaSignature(secret, request.raw.body, signature)) {
      context.reject({
        status: 403,
        payload: { message: 'invalid signature' },
      });
    }
  };
}
