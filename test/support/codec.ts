/**
 * The payload keys every suite's clients, workers and `poflow` subprocesses share, so tests run
 * with encryption on, as `poflow start` does. Fixed test keys (not secrets): histories recorded
 * with them stay replayable.
 */
import { poflowDataConverter } from '../../codec/aes-gcm';
import { parseCodecKeys } from '../../codec/keys';

/** `POFLOW_CODEC_KEYS` for the suites: `test-1` encrypts. */
export const TEST_CODEC_KEYS = 'test-1:dGVzdC1rZXktMS1wb2Zsb3ctbm90LWEtc2VjcmV0ISE=';
export const testDataConverter = poflowDataConverter(parseCodecKeys(TEST_CODEC_KEYS, 'the test keys'));
