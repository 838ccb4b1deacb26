/**
 * Certificates through the openssl CLI (argv, no shell): a local CA and a server certificate for
 * IP:127.0.0.1 and DNS:localhost signed by it, reused when still valid; and client certificates for
 * certificate-credential tests.
 */
import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { TlsSetupError } from './errors.js';

const run = promisify(execFile);

export interface ServerCerts {
  caCertPath: string;
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
  /** The directory, when it is a temp dir made here (the emulator removes it on stop). */
  tempDir?: string;
}

const DAYS = '825';
/** Regenerate certificates this close to expiry. */
const MIN_REMAINING_MS = 7 * 24 * 3600 * 1000;

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd, timeout: 60_000 });
  } catch (err) {
    throw new TlsSetupError(`openssl ${args[0] ?? ''} failed: ${(err as Error).message}`, { cause: err });
  }
}

/** True when the files exist, the server cert is signed by the CA, covers 127.0.0.1 and localhost and is not about to expire. */
async function usable(caPath: string, certPath: string, keyPath: string): Promise<boolean> {
  try {
    const [caPem, certPem] = await Promise.all([readFile(caPath, 'utf8'), readFile(certPath, 'utf8'), readFile(keyPath)]);
    const ca = new X509Certificate(caPem);
    const cert = new X509Certificate(certPem);
    const soon = Date.now() + MIN_REMAINING_MS;
    return (
      cert.verify(ca.publicKey) &&
      cert.checkIssued(ca) &&
      new Date(cert.validTo).getTime() > soon &&
      new Date(ca.validTo).getTime() > soon &&
      cert.checkIP('127.0.0.1') !== undefined &&
      cert.checkHost('localhost') !== undefined
    );
  } catch {
    return false;
  }
}

export async function ensureServerCerts(certDir?: string): Promise<ServerCerts> {
  const dir = certDir ?? (await mkdtemp(path.join(tmpdir(), 'graph-emulator-certs-')));
  await mkdir(dir, { recursive: true });
  const caCertPath = path.join(dir, 'ca.pem');
  const certPath = path.join(dir, 'server.pem');
  const keyPath = path.join(dir, 'server.key');
  if (!(await usable(caCertPath, certPath, keyPath))) {
    const work = await mkdtemp(path.join(dir, '.gen-'));
    try {
      await openssl(
        ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', DAYS,
          '-subj', '/CN=Graph Emulator Local CA', '-addext', 'basicConstraints=critical,CA:TRUE',
          '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
        work,
      );
      await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], work);
      await writeFile(
        path.join(work, 'server.ext'),
        'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
      );
      await openssl(
        ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', `0x${Date.now().toString(16)}`,
          '-out', 'server.pem', '-days', DAYS, '-sha256', '-extfile', 'server.ext'],
        work,
      );
      await rename(path.join(work, 'server.key'), keyPath);
      await rename(path.join(work, 'server.pem'), certPath);
      await rename(path.join(work, 'ca.pem'), caCertPath);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    if (!(await usable(caCertPath, certPath, keyPath))) throw new TlsSetupError(`certificates generated in ${dir} are not usable`);
  }
  const [cert, key] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
  return { caCertPath, certPath, keyPath, cert, key, tempDir: certDir ? undefined : dir };
}

export interface ClientCertificate {
  /** Public certificate PEM: goes into EmulatorClient.certificatePem. */
  certificatePem: string;
  /** PKCS#8 private key PEM: goes to MSAL's clientCertificate.privateKey. */
  privateKeyPem: string;
  /** Hex SHA-256 of the DER certificate (MSAL's thumbprintSha256). */
  thumbprintSha256: string;
  /** Hex SHA-1 of the DER certificate (MSAL's legacy thumbprint). */
  thumbprintSha1: string;
}

/** A self-signed client certificate for certificate credentials, made with openssl in a temp dir. */
export async function createClientCertificate(commonName = 'graph-emulator-client'): Promise<ClientCertificate> {
  const work = await mkdtemp(path.join(tmpdir(), 'graph-emulator-client-'));
  try {
    await openssl(
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client.key', '-out', 'client.pem', '-days', DAYS, '-subj', `/CN=${commonName}`],
      work,
    );
    const [certificatePem, privateKeyPem] = await Promise.all([
      readFile(path.join(work, 'client.pem'), 'utf8'),
      readFile(path.join(work, 'client.key'), 'utf8'),
    ]);
    const der = new X509Certificate(certificatePem).raw;
    return {
      certificatePem,
      privateKeyPem,
      thumbprintSha256: createHash('sha256').update(der).digest('hex'),
      thumbprintSha1: createHash('sha1').update(der).digest('hex'),
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
