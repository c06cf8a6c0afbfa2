/**
 * The parsers of the configuration's values (clients/config.ts validates with them): Go-style
 * durations, `SMOKE_CONNECT_TO` entries, http(s) URLs, the handover signing key and files. Each
 * problem is collected, never thrown, so one run reports all of them at once.
 *
 * @module
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** One `SMOKE_CONNECT_TO` entry, as curl's `--connect-to HOST:PORT:CONNECT_HOST:CONNECT_PORT`. */
export interface ConnectTo {
  host: string;
  port: number;
  connectHost: string;
  connectPort: number;
}

/** Where a connection to host:port really goes. */
export interface ConnectTarget {
  host: string;
  port: number;
  /** True when a `SMOKE_CONNECT_TO` entry applied. */
  viaConnectTo: boolean;
}

/** Applies `SMOKE_CONNECT_TO` entries (exact host and port) to host:port. */
export function resolveConnect(entries: ConnectTo[], host: string, port: number): ConnectTarget {
  const e = entries.find((c) => c.host === host.toLowerCase() && c.port === port);
  return e ? { host: e.connectHost, port: e.connectPort, viaConnectTo: true } : { host, port, viaConnectTo: false };
}

/** The handover signing key (the mothership's), parsed. Never printed. */
export interface HandoverKey {
  /** Where it came from, for messages: a file path or `SMOKE_HANDOVER_KEY`. */
  source: string;
  format: 'pkcs1' | 'pkcs8' | 'jwk';
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export interface ConfigProblem {
  variable: string;
  problem: string;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a Go-style duration (`90s`, `15m`, `1m30s`, `500ms`) into milliseconds.
 *
 * @example
 * parseDuration('1m30s') // 90000
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(trimmed); m; m = re.exec(trimmed)) {
    total += Number(m[1]) * (DURATION_UNITS[m[2] ?? ''] ?? NaN);
    consumed = re.lastIndex;
  }
  if (consumed === 0 || consumed !== trimmed.length || !Number.isFinite(total)) return undefined;
  return Math.round(total);
}

/** Formats milliseconds as a short Go-style duration, e.g. `1m30s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 100) / 10;
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  return rest ? `${m}m${rest}s` : `${m}m`;
}

export function parseConnectTo(text: string, problems: ConfigProblem[]): ConnectTo[] {
  const entries: ConnectTo[] = [];
  for (const raw of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const parts = raw.split(':');
    const [host, port, connectHost, connectPort] = parts;
    const p = Number(port);
    const cp = Number(connectPort);
    if (parts.length !== 4 || !host || !connectHost || !Number.isInteger(p) || !Number.isInteger(cp) || p < 1 || p > 65535 || cp < 1 || cp > 65535) {
      problems.push({ variable: 'SMOKE_CONNECT_TO', problem: `entry "${raw}" is not HOST:PORT:CONNECT_HOST:CONNECT_PORT with ports 1-65535` });
      continue;
    }
    entries.push({ host: host.toLowerCase(), port: p, connectHost, connectPort: cp });
  }
  return entries;
}

export function parseUrl(variable: string, text: string, problems: ConfigProblem[]): URL | undefined {
  try {
    const url = new URL(text);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('scheme');
    return url;
  } catch {
    problems.push({ variable, problem: `"${text}" is not an http(s) URL` });
    return undefined;
  }
}

/**
 * Loads the handover signing key from PEM (PKCS#1 or PKCS#8) or a private RSA JWK.
 * Errors name the source, never the key material.
 */
export function parseHandoverKey(text: string, source: string): HandoverKey | string {
  const trimmed = text.trim();
  let privateKey: KeyObject;
  let format: HandoverKey['format'];
  try {
    if (trimmed.startsWith('{')) {
      let jwk: Record<string, unknown>;
      try {
        jwk = JSON.parse(trimmed) as Record<string, unknown>;
      } catch {
        return `${source} looks like JSON but does not parse`;
      }
      if (jwk['kty'] !== 'RSA') return `${source} is a JWK with kty ${JSON.stringify(jwk['kty'])}, expected "RSA"`;
      if (typeof jwk['d'] !== 'string') return `${source} is a public JWK; the private key (with "d") is needed to sign`;
      privateKey = createPrivateKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
      format = 'jwk';
    } else if (trimmed.includes('-----BEGIN RSA PRIVATE KEY-----')) {
      privateKey = createPrivateKey({ key: trimmed, format: 'pem' });
      format = 'pkcs1';
    } else if (trimmed.includes('-----BEGIN PRIVATE KEY-----')) {
      privateKey = createPrivateKey({ key: trimmed, format: 'pem' });
      format = 'pkcs8';
    } else if (trimmed.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----')) {
      return `${source} is an encrypted private key; provide it unencrypted (PKCS#1, PKCS#8 or JWK)`;
    } else {
      return `${source} is neither a PEM private key (PKCS#1 or PKCS#8) nor a private RSA JWK`;
    }
  } catch {
    return `${source} could not be parsed as a private key`;
  }
  if (privateKey.asymmetricKeyType !== 'rsa') {
    return `${source} is a ${privateKey.asymmetricKeyType ?? 'non-RSA'} key; handover tokens are RS256 and need an RSA key`;
  }
  return { source, format, privateKey, publicKey: createPublicKey(privateKey) };
}

export function readText(variable: string, path: string, problems: ConfigProblem[]): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    problems.push({ variable, problem: `cannot read ${path} (${code})` });
    return undefined;
  }
}
