/**
 * The payload codec: every payload poflow writes to Temporal (workflow and activity inputs and
 * results, signals, updates, queries, memos, user metadata, failure details) is encrypted with
 * AES-256-GCM under the newest key, the key's id in the payload's metadata. The layout is Temporal's
 * encryption sample's (`binary/encrypted`, `encryption-key-id`, data = IV | ciphertext | tag), so
 * its codec servers and tools read poflow's payloads too. Decoding passes unencrypted payloads
 * through: turning encryption on never makes a running PO unreadable.
 */
import { type DataConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { CodecKeys } from './keys';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A payload this process cannot decrypt: an unknown key id, or a ciphertext that fails authentication. */
export class PayloadDecryptionError extends Error {
  override name = 'PayloadDecryptionError';
}

const NO_KEYS: CodecKeys = {
  byId: new Map(),
  source:
    'no key is configured: set POFLOW_CODEC_KEYS or POFLOW_CODEC_KEY_FILE, ' +
    'or POFLOW_DATA_DIR to where poflow start keeps its codec-keys',
};

export class AesGcmCodec implements PayloadCodec {
  constructor(private readonly keys: CodecKeys = NO_KEYS) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys.encryptWith;
    if (!key) return payloads;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key.key, iv);
      const clear = temporal.api.common.v1.Payload.encode(payload).finish();
      return {
        metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(key.id) },
        data: Buffer.concat([iv, cipher.update(clear), cipher.final(), cipher.getAuthTag()]),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => (isEncrypted(payload) ? this.decrypt(payload) : payload));
  }

  private decrypt(payload: Payload): Payload {
    const id = text(payload.metadata?.[KEY_ID_METADATA]);
    const key = this.keys.byId.get(id);
    if (!key) {
      const why =
        this.keys.byId.size === 0
          ? this.keys.source
          : `${this.keys.source} does not list that key id (known: ${[...this.keys.byId.keys()].join(', ')})`;
      throw new PayloadDecryptionError(`payload encrypted with key "${id}" cannot be decrypted: ${why}`);
    }
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES) {
      throw new PayloadDecryptionError(
        `payload encrypted with key "${id}" is truncated (${data.length} bytes)`,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.key, data.subarray(0, IV_BYTES));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const clear = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return temporal.api.common.v1.Payload.decode(clear);
    } catch {
      throw new PayloadDecryptionError(
        `payload encrypted with key "${id}" failed authentication: ` +
          'tampered with, or a different key under the same id',
      );
    }
  }
}

function isEncrypted(payload: Payload): boolean {
  return text(payload.metadata?.encoding) === ENCRYPTED_ENCODING;
}

function utf8(value: string): Uint8Array {
  return Buffer.from(value, 'utf8');
}

function text(bytes: Uint8Array | null | undefined): string {
  return bytes ? Buffer.from(bytes).toString('utf8') : '';
}

/**
 * The data converter of every client and worker poflow creates. Without keys it writes in clear and
 * still names the missing key when it meets an encrypted payload.
 */
export function poflowDataConverter(keys: CodecKeys | undefined): DataConverter {
  return { payloadCodecs: [new AesGcmCodec(keys)] };
}
