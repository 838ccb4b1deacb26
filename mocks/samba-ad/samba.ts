/**
 * A real Samba AD DC on a loopback address, for tests: provisioned into a temp dir, run as a child
 * (`samba -i -M single`, LDAP service only), reachable over LDAPS with a certificate issued for the IP.
 * See README.md in this folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { LineTail, run, tailOf } from './exec.js';
import { SambaAddressInUseError, SambaStartError, SambaUnavailableError } from './errors.js';
import { connectLdap } from './ldap.js';
import { extendSchema } from './schema.js';
import { generateTls } from './tls.js';

export interface SambaDc {
  ldapsUrl: string;
  host: string;
  port: number;
  baseDn: string;
  realm: string;
  bindDn: string;
  bindPassword: string;
  /** PEM of the CA that issued the DC's LDAPS certificate (SAN IP:<host>); clients trust this. */
  caCertPath: string;
  /** Temp dir holding the provisioned DC. */
  dir: string;
  /** Stops the samba process (tree) this call started and removes `dir`. Idempotent. */
  stop(): Promise<void>;
}

export interface StartSambaOptions {
  /** Loopback IPv4 address to bind (127.x.y.z); default 127.0.0.1. One DC per address. */
  host?: string;
  /** Administrator password; default a random one meeting AD complexity rules. */
  adminPassword?: string;
  /** Add msExchRecipientTypeDetails to the schema (default true). */
  extendSchema?: boolean;
  /** Receives samba's and samba-tool's output lines. */
  log?: (line: string) => void;
  /** Bound on the wait for the first LDAPS bind after samba starts (default 60 s). */
  readyTimeoutMs?: number;
}

const REALM = 'CORP.EXAMPLE.TEST';
const DOMAIN = 'CORP';
const DNS_DOMAIN = REALM.toLowerCase();
const BASE_DN = DNS_DOMAIN.split('.').map((p) => `DC=${p}`).join(',');
const HOST_NAME = 'dc1';
const LDAPS_PORT = 636;
const LDAP_PORT = 389;
const BIN_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/sbin', '/usr/local/bin'];

/** Full path of an executable on PATH or in the usual sbin/bin dirs, or undefined. */
function findBinary(name: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(path.delimiter).filter(Boolean), ...BIN_DIRS];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

interface Binaries {
  samba: string;
  sambaTool: string;
  openssl: string;
}

function resolveBinaries(): Binaries | string {
  const samba = findBinary('samba');
  const sambaTool = findBinary('samba-tool');
  const openssl = findBinary('openssl');
  const missing = [!samba && 'samba', !sambaTool && 'samba-tool', !openssl && 'openssl'].filter(Boolean);
  if (!samba || !sambaTool || !openssl) return `missing ${missing.join(', ')} (apt-get install -y samba openssl)`;
  return { samba, sambaTool, openssl };
}

/** Whether this machine can run the test DC: samba, samba-tool and openssl present, running as root. */
export function sambaAvailability(): { ok: true } | { ok: false; reason: string } {
  if (process.platform !== 'linux') return { ok: false, reason: `needs Linux, this is ${process.platform}` };
  const bins = resolveBinaries();
  if (typeof bins === 'string') return { ok: false, reason: bins };
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return { ok: false, reason: 'samba as an AD DC must run as root (it binds ports 389/636)' };
  }
  return { ok: true };
}

function isLoopbackIPv4(host: string): boolean {
  return net.isIPv4(host) && host.startsWith('127.');
}

/** Resolves true when something accepts TCP connections on host:port. */
function portAnswers(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (answer: boolean): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function assertAddressFree(host: string): Promise<void> {
  for (const port of [LDAP_PORT, LDAPS_PORT]) {
    if (await portAnswers(host, port)) {
      throw new SambaAddressInUseError(
        `something already listens on ${host}:${port} (a samba left by another test run?). ` +
          `Find it with \`ss -ltnp 'sport = :${port}'\` and stop it by pid, or start the DC on another loopback address (host: '127.0.0.2').`,
      );
    }
  }
}

function randomAdminPassword(): string {
  // Upper, lower, digit and symbol: meets Samba's default complexity policy.
  return `Hps-${randomBytes(12).toString('base64url')}-9aZ`;
}

function provisionArgv(dir: string, host: string, password: string, tlsDir: string): string[] {
  const options = {
    // ip/mask form: samba then binds the given address even when it is not configured on lo (127.0.0.2…).
    interfaces: `${host}/8`,
    'bind interfaces only': 'yes',
    // LDAP only: no SMB, Kerberos, NBT or RPC listeners; faster start and fewer ports taken.
    'server services': 'ldap',
    'dsdb:schema update allowed': 'true',
    // Test data need not survive a crash: no fsync per LDB transaction (adds go from ~70 ms to a few ms).
    'ldb:nosync': 'true',
    'tls enabled': 'yes',
    'tls certfile': path.join(tlsDir, 'cert.pem'),
    'tls keyfile': path.join(tlsDir, 'key.pem'),
    'tls cafile': path.join(tlsDir, 'ca.pem'),
    'log file': path.join(dir, 'log.%m'),
    // Keep run-time files out of /run/samba so DCs on different addresses do not see each other's pid file.
    'pid directory': path.join(dir, 'run'),
    'ncalrpc dir': path.join(dir, 'run', 'ncalrpc'),
    'winbindd socket directory': path.join(dir, 'run', 'winbindd'),
  };
  return [
    'domain', 'provision',
    `--targetdir=${dir}`,
    `--realm=${REALM}`,
    `--domain=${DOMAIN}`,
    `--host-name=${HOST_NAME}`,
    '--server-role=dc',
    '--dns-backend=NONE',
    `--adminpass=${password}`,
    ...Object.entries(options).map(([k, v]) => `--option=${k}=${v}`),
  ];
}

async function provision(bins: Binaries, dir: string, host: string, password: string, tlsDir: string, log?: (l: string) => void): Promise<void> {
  let result;
  try {
    result = await run(bins.sambaTool, provisionArgv(dir, host, password, tlsDir), { timeoutMs: 180_000 });
  } catch (err) {
    throw new SambaStartError('samba-tool could not run', { cause: err });
  }
  if (log) for (const line of `${result.stdout}\n${result.stderr}`.split('\n')) if (line) log(line);
  if (result.code !== 0) throw new SambaStartError(`samba-tool domain provision failed (exit ${result.code}):\n${tailOf(result)}`);
}

/** The running samba child: its exit as a promise, and the tail of its output. */
interface SambaProcess {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  tail: LineTail;
}

function spawnSamba(bins: Binaries, dir: string, log?: (l: string) => void): SambaProcess {
  const tail = new LineTail(40, log);
  // -i: foreground, log to stdout, and exit when stdin closes (so a crashed test run cannot leave it behind).
  // -M single: one process. detached: its own process group, which stop() signals as a whole.
  const child = spawn(bins.samba, ['-s', path.join(dir, 'etc', 'smb.conf'), '-i', '-M', 'single'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout?.setEncoding('utf8').on('data', (d: string) => tail.push(d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => tail.push(d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (err) => {
      tail.push(`\nspawn error: ${err.message}\n`);
      resolve({ code: null, signal: null });
    });
  });
  // Do not keep the test runner alive for samba: if the runner exits, stdin closes and samba follows.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as { unref?: () => void } | null)?.unref?.();
  return { child, exited, tail };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until an LDAPS bind succeeds; fails early if samba exits, or after `timeoutMs`. */
async function waitForLdaps(dc: Omit<SambaDc, 'stop'>, proc: SambaProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void proc.exited.then((e) => (exited = e));
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (exited) {
      throw new SambaStartError(`samba exited (code ${exited.code}, signal ${exited.signal}) before LDAPS answered. Log tail:\n${proc.tail.text()}`);
    }
    try {
      const client = await connectLdap(dc, { timeoutMs: 3000 });
      await client.unbind().catch(() => undefined);
      return;
    } catch (err) {
      lastError = err;
    }
    await delay(150);
  }
  throw new SambaStartError(
    `no successful LDAPS bind to ${dc.ldapsUrl} within ${timeoutMs} ms (last error: ${(lastError as Error | undefined)?.message}). Samba log tail:\n${proc.tail.text()}`,
    { cause: lastError },
  );
}

async function stopProcess(proc: SambaProcess): Promise<void> {
  const { child } = proc;
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const killGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal); // the process group spawn() created for this child
    } catch {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
    }
  };
  const exitedWithin = (ms: number): Promise<boolean> =>
    Promise.race([proc.exited.then(() => true), delay(ms).then(() => false)]);
  child.stdin?.end(); // samba -i terminates itself on EOF
  if (await exitedWithin(3000)) return;
  killGroup('SIGTERM');
  if (await exitedWithin(3000)) return;
  killGroup('SIGKILL');
  await exitedWithin(3000);
}

/** Provisions and starts a Samba AD DC on a loopback address; resolves once an LDAPS bind succeeds. */
export async function startSambaDc(opts: StartSambaOptions = {}): Promise<SambaDc> {
  const availability = sambaAvailability();
  if (!availability.ok) throw new SambaUnavailableError(availability.reason);
  const bins = resolveBinaries() as Binaries;
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopbackIPv4(host)) throw new SambaStartError(`host must be a loopback IPv4 address (127.x.y.z), got ${host}`);
  await assertAddressFree(host);

  const password = opts.adminPassword ?? randomAdminPassword();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'samba-ad-'));
  const tlsDir = path.join(dir, 'test-tls');
  let proc: SambaProcess | undefined;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      if (proc) await stopProcess(proc);
      await rm(dir, { recursive: true, force: true });
    })());

  try {
    await mkdir(tlsDir);
    const [tls] = await Promise.all([
      generateTls(tlsDir, host, ['localhost', `${HOST_NAME}.${DNS_DOMAIN}`]),
      provision(bins, dir, host, password, tlsDir, opts.log),
    ]);
    const info: Omit<SambaDc, 'stop'> = {
      ldapsUrl: `ldaps://${host}:${LDAPS_PORT}`,
      host,
      port: LDAPS_PORT,
      baseDn: BASE_DN,
      realm: REALM,
      bindDn: `Administrator@${DNS_DOMAIN}`,
      bindPassword: password,
      caCertPath: tls.caCertPath,
      dir,
    };
    proc = spawnSamba(bins, dir, opts.log);
    await waitForLdaps(info, proc, opts.readyTimeoutMs ?? 60_000);
    if (opts.extendSchema ?? true) {
      const client = await connectLdap(info);
      try {
        await extendSchema(client, BASE_DN);
      } finally {
        await client.unbind().catch(() => undefined);
      }
    }
    return { ...info, stop };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
