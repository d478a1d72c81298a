import {
  generateKeyPairSync,
  randomBytes,
  sign as signBytes,
  X509Certificate,
} from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';

/*
 * The cluster's PKI: a CA, the API server's serving certificate for the
 * loopback names, the admin client certificate (CN=kubernetes-admin,
 * O=system:masters) and the key that signs ServiceAccount tokens. Everything
 * lives in the state directory with mode 0600 and is reused on restart.
 */

export interface ClusterPki {
  caCertPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  adminCertPem: string;
  adminKeyPem: string;
  /** Private key that signs ServiceAccount tokens. */
  serviceAccountKeyPem: string;
}

export interface CertificateSubject {
  commonName: string;
  organizations?: string[];
}

const FILES: Record<keyof ClusterPki, string> = {
  caCertPem: 'ca.crt',
  serverCertPem: 'apiserver.crt',
  serverKeyPem: 'apiserver.key',
  adminCertPem: 'admin.crt',
  adminKeyPem: 'admin.key',
  serviceAccountKeyPem: 'sa.key',
};
const CA_KEY_FILE = 'ca.key';

function newRsaKey(): { privateKeyPem: string; publicKeyPem: string } {
  // Native key generation: node-forge's pure-JS RSA keygen takes seconds.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

function subjectAttributes(
  subject: CertificateSubject,
): forge.pki.CertificateField[] {
  return [
    ...(subject.organizations ?? []).map(o => ({ shortName: 'O', value: o })),
    { shortName: 'CN', value: subject.commonName },
  ];
}

interface SignRequest {
  subject: CertificateSubject;
  publicKeyPem: string;
  issuer?: { certPem: string; keyPem: string };
  /** Self-signing key when there is no issuer. */
  selfKeyPem?: string;
  isCa?: boolean;
  serverNames?: { dns: string[]; ips: string[] };
  clientAuth?: boolean;
  validDays: number;
}

function signCertificate(request: SignRequest): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(request.publicKeyPem);
  // A positive serial: clear the top bit of the first byte.
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  cert.serialNumber = serial.toString('hex');
  const now = new Date();
  cert.validity.notBefore = new Date(now.getTime() - 5 * 60 * 1000);
  cert.validity.notAfter = new Date(
    now.getTime() + request.validDays * 86400 * 1000,
  );
  cert.setSubject(subjectAttributes(request.subject));
  const extensions: any[] = [];
  if (request.isCa) {
    extensions.push(
      { name: 'basicConstraints', cA: true, critical: true },
      {
        name: 'keyUsage',
        keyCertSign: true,
        cRLSign: true,
        digitalSignature: true,
        critical: true,
      },
      { name: 'subjectKeyIdentifier' },
    );
  } else {
    extensions.push(
      { name: 'basicConstraints', cA: false, critical: true },
      {
        name: 'keyUsage',
        digitalSignature: true,
        keyEncipherment: true,
        critical: true,
      },
      {
        name: 'extKeyUsage',
        serverAuth: !!request.serverNames,
        clientAuth: !!request.clientAuth,
      },
    );
  }
  if (request.serverNames) {
    extensions.push({
      name: 'subjectAltName',
      altNames: [
        ...request.serverNames.dns.map(value => ({ type: 2, value })),
        ...request.serverNames.ips.map(ip => ({ type: 7, ip })),
      ],
    });
  }
  let signingKeyPem: string;
  if (request.issuer) {
    const issuerCert = forge.pki.certificateFromPem(request.issuer.certPem);
    cert.setIssuer(issuerCert.subject.attributes);
    extensions.push({
      name: 'authorityKeyIdentifier',
      keyIdentifier: issuerCert.generateSubjectKeyIdentifier().getBytes(),
    });
    signingKeyPem = request.issuer.keyPem;
  } else {
    cert.setIssuer(subjectAttributes(request.subject));
    signingKeyPem = request.selfKeyPem!;
  }
  cert.setExtensions(extensions);
  signWithNodeCrypto(cert, signingKeyPem);
  return forge.pki.certificateToPem(cert);
}

/**
 * Signs the certificate's TBS structure with SHA-256/RSA through node:crypto:
 * node-forge's pure-JS RSA signing takes about half a second per certificate,
 * which every dev cluster start (and so every test that starts one) paid.
 */
function signWithNodeCrypto(cert: forge.pki.Certificate, keyPem: string) {
  const oid = forge.pki.oids.sha256WithRSAEncryption;
  cert.signatureOid = oid;
  cert.siginfo.algorithmOid = oid;
  // Not in @types/node-forge, but part of node-forge's public pki API.
  const { getTBSCertificate } = forge.pki as unknown as {
    getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1;
  };
  const tbs = getTBSCertificate(cert);
  (
    cert as forge.pki.Certificate & { tbsCertificate: forge.asn1.Asn1 }
  ).tbsCertificate = tbs;
  const der = Buffer.from(forge.asn1.toDer(tbs).getBytes(), 'binary');
  cert.signature = signBytes('sha256', der, keyPem).toString('binary');
}

/** Issues a client certificate signed by the cluster CA (user = CN, groups = O). */
export function issueClientCertificate(
  ca: { certPem: string; keyPem: string },
  subject: CertificateSubject,
): { certPem: string; keyPem: string } {
  const key = newRsaKey();
  const certPem = signCertificate({
    subject,
    publicKeyPem: key.publicKeyPem,
    issuer: ca,
    clientAuth: true,
    validDays: 365,
  });
  return { certPem, keyPem: key.privateKeyPem };
}

function createPki(): { pki: ClusterPki; caKeyPem: string } {
  const caKey = newRsaKey();
  const caCertPem = signCertificate({
    subject: { commonName: 'cairn-dev-ca' },
    publicKeyPem: caKey.publicKeyPem,
    selfKeyPem: caKey.privateKeyPem,
    isCa: true,
    validDays: 3650,
  });
  const ca = { certPem: caCertPem, keyPem: caKey.privateKeyPem };
  const serverKey = newRsaKey();
  const serverCertPem = signCertificate({
    subject: { commonName: 'kube-apiserver' },
    publicKeyPem: serverKey.publicKeyPem,
    issuer: ca,
    serverNames: {
      dns: [
        'localhost',
        'kubernetes',
        'kubernetes.default',
        'kubernetes.default.svc',
      ],
      ips: ['127.0.0.1', '::1'],
    },
    validDays: 365,
  });
  const admin = issueClientCertificate(ca, {
    commonName: 'kubernetes-admin',
    organizations: ['system:masters'],
  });
  return {
    caKeyPem: caKey.privateKeyPem,
    pki: {
      caCertPem,
      serverCertPem,
      serverKeyPem: serverKey.privateKeyPem,
      adminCertPem: admin.certPem,
      adminKeyPem: admin.keyPem,
      serviceAccountKeyPem: newRsaKey().privateKeyPem,
    },
  };
}

function stillValid(certPem: string): boolean {
  const validTo = new Date(new X509Certificate(certPem).validTo).getTime();
  return validTo - Date.now() > 86400 * 1000;
}

async function readExisting(dir: string): Promise<ClusterPki | undefined> {
  try {
    const entries = await Promise.all(
      Object.entries(FILES).map(
        async ([field, file]) =>
          [field, await fs.readFile(path.join(dir, file), 'utf8')] as const,
      ),
    );
    const pki = Object.fromEntries(entries) as unknown as ClusterPki;
    if (!stillValid(pki.serverCertPem) || !stillValid(pki.adminCertPem))
      return undefined;
    return pki;
  } catch (e: any) {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * The PKI in `dir`, created on first use (or when its certificates are about
 * to expire) and reused afterwards.
 */
export async function loadOrCreatePki(dir: string): Promise<ClusterPki> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const existing = await readExisting(dir);
  if (existing) return existing;
  const { pki, caKeyPem } = createPki();
  await writePrivate(path.join(dir, CA_KEY_FILE), caKeyPem);
  for (const [field, file] of Object.entries(FILES)) {
    await writePrivate(path.join(dir, file), pki[field as keyof ClusterPki]);
  }
  return pki;
}

export async function writePrivate(
  file: string,
  content: string,
): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, content, { mode: 0o600 });
  // writeFile's mode applies only when it creates the file.
  await fs.chmod(file, 0o600);
}
