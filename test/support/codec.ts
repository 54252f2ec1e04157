/**
 * The payload keys every suite's clients, workers and `poflow` subprocesses share, so tests run
 * with encryption on, as `poflow start` does. Fixed test keys (not secrets): histories recorded
 * with them stay replayable.
 */
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { AesGcmCodec, poflowDataConverter } from '../../codec/aes-gcm';
import { parseCodecKeys } from '../../codec/keys';

/** `POFLOW_CODEC_KEYS` for the suites: `test-1` encrypts. */
export const TEST_CODEC_KEYS = 'test-1:dGVzdC1rZXktMS1wb2Zsb3ctbm90LWEtc2VjcmV0ISE=';
const keys = parseCodecKeys(TEST_CODEC_KEYS, 'the test keys');
export const testDataConverter = poflowDataConverter(keys);

/** The value of a payload read off a raw history (`fetchHistory`), decrypted as the suites' clients do. */
export async function payloadValue<T>(payload: Payload): Promise<T> {
  const [clear] = await new AesGcmCodec(keys).decode([payload]);
  return defaultPayloadConverter.fromPayload<T>(clear!);
}
