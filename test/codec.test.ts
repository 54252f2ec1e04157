/**
 * The codec and its keys without Temporal: key lists refused with the entry and the reason,
 * tampered ciphertext refused, unencrypted payloads passed through, the codec server's bearer token.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { AesGcmCodec, PayloadDecryptionError } from '../codec/aes-gcm';
import { ensureDefaultKeyFile, generateKeyEntry, loadCodecKeys, parseCodecKeys } from '../codec/keys';
import { startCodecServer } from '../codec/server';
import { loadConfig } from '../worker/config';

const KEY = generateKeyEntry().replace(/^[^:]+/, 'k1');
const silent = pino({ level: 'silent' });
const clear = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"amount":"4.65"}') };

test.each([
  ['', 'POFLOW_CODEC_KEYS: no keys (expected id:base64key,...)'],
  ['k1', 'POFLOW_CODEC_KEYS: entry 1: expected id:base64key'],
  ['k1:c2hvcnQ=', 'POFLOW_CODEC_KEYS: entry 1 (key k1): the key must be 32 bytes in base64'],
  [`${KEY},${KEY}`, 'POFLOW_CODEC_KEYS: entry 2: key id k1 is listed twice'],
  [`bad id:${KEY.split(':')[1]}`, 'POFLOW_CODEC_KEYS: entry 1: key id must be 1-64 of A-Z a-z 0-9 . _ -'],
  [`${KEY},plain`, 'POFLOW_CODEC_KEYS: entry 2: expected id:base64key ("plain" may only come first)'],
  ['plain', 'POFLOW_CODEC_KEYS: "plain" alone leaves no key to decrypt with'],
])('the key list %j is refused: %s', (keys, message) => {
  expect(() => parseCodecKeys(keys, 'POFLOW_CODEC_KEYS')).toThrow(message);
});

test('a bad key list stops poflow with the variable named, never the key', () => {
  const secret = KEY.split(':')[1]!.slice(0, 20);
  const run = () => loadConfig({ POFLOW_CODEC_KEYS: `${KEY.slice(0, -4)}` });
  expect(run).toThrow(/^POFLOW_CODEC_KEYS: entry 1 \(key k1\): the key must be 32 bytes in base64$/);
  expect(() => loadConfig({ POFLOW_CODEC_KEYS: KEY, POFLOW_CODEC_KEY_FILE: '/x' })).toThrow('set one of them, not both'); // prettier-ignore
  expect(() => loadConfig({ POFLOW_CODEC_KEY_FILE: '/nonexistent/keys' })).toThrow('POFLOW_CODEC_KEY_FILE: /nonexistent/keys: no such file'); // prettier-ignore
  try {
    run();
  } catch (err) {
    expect((err as Error).message).not.toContain(secret);
  }
});

test('poflow start generates one key file, private to its owner, that every process then reads', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'poflow-keys-'));
  const file = ensureDefaultKeyFile({}, dir)!;
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(ensureDefaultKeyFile({}, dir)).toBeUndefined();
  const keys = loadCodecKeys({}, dir)!;
  expect(keys.encryptWith?.id).toMatch(/^k\d{14}$/);
  expect(readFileSync(file, 'utf8')).toContain(`${keys.encryptWith!.id}:`);
  expect(ensureDefaultKeyFile({ POFLOW_CODEC_KEYS: KEY }, mkdtempSync(path.join(tmpdir(), 'poflow-keys-')))).toBeUndefined(); // prettier-ignore
  expect(loadCodecKeys({}, mkdtempSync(path.join(tmpdir(), 'poflow-nokeys-')))).toBeUndefined();
});

test('encrypts under the newest key, names it, and refuses a tampered payload', async () => {
  const older = generateKeyEntry().replace(/^[^:]+/, 'k0');
  const codec = new AesGcmCodec(parseCodecKeys(`${KEY},${older}`, 'test'));
  const [encrypted] = await codec.encode([clear]);
  expect(Buffer.from(encrypted!.metadata!['encryption-key-id']!).toString()).toBe('k1');
  expect(Buffer.from(encrypted!.data!).toString('latin1')).not.toContain('4.65');
  expect(await codec.decode([encrypted!, clear])).toEqual([
    expect.objectContaining({ data: new Uint8Array(clear.data) }),
    clear,
  ]);
  const tampered = Buffer.from(encrypted!.data!);
  tampered[20] = tampered[20]! ^ 1;
  await expect(codec.decode([{ ...encrypted, data: tampered }])).rejects.toThrow(
    new PayloadDecryptionError('payload encrypted with key "k1" failed authentication: tampered with, or a different key under the same id'), // prettier-ignore
  );
  await expect(new AesGcmCodec(undefined).decode([encrypted!])).rejects.toThrow(/key "k1" cannot be decrypted: no key is configured/); // prettier-ignore
});

test('the codec server asks for its bearer token when one is configured', async () => {
  const server = await startCodecServer({ port: 0, keys: parseCodecKeys(KEY, 'test'), corsOrigins: [], authToken: 's3cret', logger: silent }); // prettier-ignore
  try {
    const post = (authorization?: string) =>
      fetch(`${server.url}/encode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ payloads: [] }),
      });
    expect((await post()).status).toBe(401);
    expect((await post('Bearer wrong')).status).toBe(401);
    const ok = await post('Bearer s3cret');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ payloads: [] });
  } finally {
    await server.close();
  }
});

test('the codec server leaves a payload it cannot decrypt as it is and decodes the rest', async () => {
  const server = await startCodecServer({
    port: 0,
    keys: parseCodecKeys(KEY, 'test'),
    corsOrigins: [],
    logger: silent,
  });
  try {
    const foreign = (await new AesGcmCodec(parseCodecKeys(generateKeyEntry(), 'other')).encode([clear]))[0]!;
    const mine = (await new AesGcmCodec(parseCodecKeys(KEY, 'test')).encode([clear]))[0]!;
    const json = (p: typeof clear) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v).toString('base64')])), // prettier-ignore
      data: Buffer.from(p.data).toString('base64'),
    });
    const response = await fetch(`${server.url}/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ payloads: [json(foreign as typeof clear), json(mine as typeof clear)] }),
    });
    expect(await response.json()).toEqual({ payloads: [json(foreign as typeof clear), json(clear)] });
  } finally {
    await server.close();
  }
});
