import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

/*
 * The webhook's TLS: a self-signed CA and a serving certificate it signs,
 * made at start when none is kept yet. Node makes the RSA keys (fast,
 * native); node-forge writes the X.509 certificates, which node:crypto
 * can read but not create.
 */

export interface WebhookCertificates {
  caPem: string;
  certPem: string;
  keyPem: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** The serving certificate's life; a kept one is renewed a month before it ends. */
const VALIDITY_DAYS = 365;
const RENEW_BEFORE_DAYS = 30;

function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKey, privateKey };
}

function certificate(options: {
  subject: string;
  publicKeyPem: string;
  signer: { keyPem: string; subject: string };
  now: Date;
  ca: boolean;
  hosts?: string[];
}): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(options.publicKeyPem);
  // A positive serial of 16 random bytes (the top bit cleared).
  cert.serialNumber = `0${randomBytes(16).toString('hex')}`;
  cert.validity.notBefore = new Date(options.now.getTime() - 60_000);
  cert.validity.notAfter = new Date(
    options.now.getTime() +
      (options.ca ? 10 * VALIDITY_DAYS : VALIDITY_DAYS) * DAY_MS,
  );
  cert.setSubject([{ name: 'commonName', value: options.subject }]);
  cert.setIssuer([{ name: 'commonName', value: options.signer.subject }]);
  cert.setExtensions([
    { name: 'basicConstraints', cA: options.ca, critical: true },
    options.ca
      ? { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }
      : {
          name: 'keyUsage',
          digitalSignature: true,
          keyEncipherment: true,
          critical: true,
        },
    ...(options.ca ? [] : [{ name: 'extKeyUsage', serverAuth: true }]),
    ...(options.hosts?.length
      ? [
          {
            name: 'subjectAltName',
            altNames: options.hosts.map(host =>
              isIP(host) ? { type: 7, ip: host } : { type: 2, value: host },
            ),
          },
        ]
      : []),
  ]);
  cert.sign(
    forge.pki.privateKeyFromPem(options.signer.keyPem),
    forge.md.sha256.create(),
  );
  return forge.pki.certificateToPem(cert);
}

/** A new CA and a serving certificate for `hosts` (DNS names or IP addresses). */
export function generateWebhookCertificates(
  hosts: string[],
  now = new Date(),
): WebhookCertificates {
  const ca = keyPair();
  const subject = 'cairn-operators-webhook-ca';
  const caPem = certificate({
    subject,
    publicKeyPem: ca.publicKey,
    signer: { keyPem: ca.privateKey, subject },
    now,
    ca: true,
  });
  const serving = keyPair();
  const certPem = certificate({
    subject: hosts[0],
    publicKeyPem: serving.publicKey,
    signer: { keyPem: ca.privateKey, subject },
    now,
    ca: false,
    hosts,
  });
  return { caPem, certPem, keyPem: serving.privateKey };
}

/**
 * Whether kept certificates still serve: the certificate is the CA's, names
 * every host, and has more than a month left.
 */
export function certificatesServe(
  kept: WebhookCertificates,
  hosts: string[],
  now = new Date(),
): boolean {
  try {
    const cert = new X509Certificate(kept.certPem);
    const ca = new X509Certificate(kept.caPem);
    if (!cert.verify(ca.publicKey)) return false;
    if (
      new Date(cert.validTo).getTime() - now.getTime() <
      RENEW_BEFORE_DAYS * DAY_MS
    )
      return false;
    return hosts.every(host =>
      isIP(host)
        ? cert.checkIP(host) !== undefined
        : cert.checkHost(host) !== undefined,
    );
  } catch {
    return false;
  }
}
