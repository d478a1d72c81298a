import { isValidGiteaSignature } from './giteaSignatureValidator';

// The reference digest was computed independently:
// printf '%s' '{"ref":"refs/heads/develop"}' | openssl dgst -sha256 -hmac secret
describe('isValidGiteaSignature', () => {
  const body = Buffer.from('{"ref":"refs/heads/develop"}');
  const secret = 'secret';
  const reference =
    '1be8f96b97efdba55678c254aec22589580c159bc129262bda28370967a4de1e';

  it('accepts the HMAC-SHA256 hex digest of the raw body', () => {
    expect(isValidGiteaSignature(secret, body, reference)).toBe(true);
    expect(isValidGiteaSignature(secret, body, reference.toUpperCase())).toBe(
      true,
    );
  });

  it('refuses another secret, another body, and malformed signatures', () => {
    expect(isValidGiteaSignature('other', body, reference)).toBe(false);
    expect(
      isValidGiteaSignature(secret, Buffer.from('{"ref":"x"}'), reference),
    ).toBe(false);
    expect(isValidGiteaSignature(secret, body, `sha256=${reference}`)).toBe(
      false,
    );
    expect(isValidGiteaSignature(secret, body, reference.slice(0, 63))).toBe(
      false,
    );
    expect(isValidGiteaSignature(secret, body, `${reference}00`)).toBe(false);
    expect(isValidGiteaSignature(secret, body, '')).toBe(false);
  });
});
