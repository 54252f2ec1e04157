/**
 * The payload codec's keys: `POFLOW_CODEC_KEYS` (`id:base64key,...`, newest first) or the file
 * named by `POFLOW_CODEC_KEY_FILE` (the same list, commas or lines). With neither, the file
 * `codec-keys` in the data directory when it exists: `poflow start` generates it on first start, so
 * every poflow process on the machine shares it. The newest key encrypts; every listed key decrypts.
 * A first entry `plain` stops encrypting while the older keys still read what they wrote.
 */
import { listEntries } from '../infra/list-entries';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface CodecKey {
  id: string;
  /** 32 bytes: AES-256. */
  key: Buffer;
}

export interface CodecKeys {
  /** The key new payloads are encrypted with; undefined: they are written in clear. */
  encryptWith?: CodecKey;
  /** Every key that decrypts, by id. */
  byId: ReadonlyMap<string, CodecKey>;
  /** Where the keys came from, for messages: never the keys themselves. */
  source: string;
}

export const PLAIN = 'plain';
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const KEY_BYTES = 32;

/** Thrown for a malformed key list: names the variable (or file) and the entry, never the key. */
export class CodecKeyError extends Error {}

/** `id:base64key,...` (newest first; commas or new lines; `#` starts a comment line). */
export function parseCodecKeys(text: string, source: string): CodecKeys {
  const entries = listEntries(text);
  if (entries.length === 0) throw new CodecKeyError(`${source}: no keys (expected id:base64key,...)`);
  const plain = entries[0] === PLAIN;
  const byId = new Map<string, CodecKey>();
  for (const [index, entry] of entries.slice(plain ? 1 : 0).entries()) {
    const at = `${source}: entry ${index + (plain ? 2 : 1)}`;
    const colon = entry.indexOf(':');
    if (colon < 0) {
      const hint = entry === PLAIN ? ' ("plain" may only come first)' : '';
      throw new CodecKeyError(`${at}: expected id:base64key${hint}`);
    }
    const id = entry.slice(0, colon);
    if (!KEY_ID.test(id)) throw new CodecKeyError(`${at}: key id must be 1-64 of A-Z a-z 0-9 . _ -`);
    if (byId.has(id)) throw new CodecKeyError(`${at}: key id ${id} is listed twice`);
    const key = Buffer.from(entry.slice(colon + 1), 'base64');
    if (key.length !== KEY_BYTES || key.toString('base64') !== entry.slice(colon + 1)) {
      throw new CodecKeyError(`${at} (key ${id}): the key must be ${KEY_BYTES} bytes in base64`);
    }
    byId.set(id, { id, key });
  }
  if (byId.size === 0) throw new CodecKeyError(`${source}: "${PLAIN}" alone leaves no key to decrypt with`);
  return { encryptWith: plain ? undefined : byId.values().next().value, byId, source };
}

/** The file `poflow start` generates when no keys are configured. */
export function defaultKeyFile(dataDir: string): string {
  return path.join(dataDir, 'codec-keys');
}

/** The configured keys; undefined when none are configured and no generated file exists (no encryption). */
export function loadCodecKeys(env: NodeJS.ProcessEnv, dataDir: string): CodecKeys | undefined {
  const listed = env.POFLOW_CODEC_KEYS?.trim();
  const file = env.POFLOW_CODEC_KEY_FILE?.trim();
  if (listed && file) {
    throw new CodecKeyError('POFLOW_CODEC_KEYS, POFLOW_CODEC_KEY_FILE: set one of them, not both');
  }
  if (listed) return parseCodecKeys(listed, 'POFLOW_CODEC_KEYS');
  if (file)
    return parseCodecKeys(readKeyFile(file, 'POFLOW_CODEC_KEY_FILE'), `POFLOW_CODEC_KEY_FILE ${file}`);
  const generated = defaultKeyFile(dataDir);
  return existsSync(generated) ? parseCodecKeys(readKeyFile(generated), generated) : undefined;
}

/** A fresh key entry, `id:base64key`: the id says when it was made, so rotations sort themselves. */
export function generateKeyEntry(now = new Date()): string {
  const id = `k${now.toISOString().slice(0, 19).replace(/[-:T]/g, '')}`;
  return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

/**
 * `poflow start` with no keys configured: generates the data directory's key file unless it exists.
 * Returns the file's path when it was just created.
 */
export function ensureDefaultKeyFile(env: NodeJS.ProcessEnv, dataDir: string): string | undefined {
  if (env.POFLOW_CODEC_KEYS?.trim() || env.POFLOW_CODEC_KEY_FILE?.trim()) return undefined;
  const file = defaultKeyFile(dataDir);
  if (existsSync(file)) return undefined;
  mkdirSync(dataDir, { recursive: true });
  const header =
    '# poflow payload keys, newest first (id:base64key). Keep a copy: without it, POs cannot be read.';
  try {
    // `wx`: two starts racing never overwrite each other's key.
    writeFileSync(file, `${header}\n${generateKeyEntry()}\n`, { mode: 0o600, flag: 'wx' });
    return file;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw err;
  }
}

function readKeyFile(file: string, variable?: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new CodecKeyError(`${variable ? `${variable}: ` : ''}${file}: ${reason}`);
  }
}
