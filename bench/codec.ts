/**
 * The payload codec's cost per payload: `npx tsx bench/codec.ts [rounds]`. For a PO as the client
 * sends it (2 lines) and a large one (200 lines), the time to turn the value into a payload and
 * back with Temporal's default converter alone (the baseline), and with the AES-256-GCM codec's
 * encode and decode added; printed in microseconds per payload and as a ratio to the baseline, in
 * the same run. Sizes on the wire are printed too.
 */
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { performance } from 'node:perf_hooks';
import { AesGcmCodec } from '../codec/aes-gcm';
import { generateKeyEntry, parseCodecKeys } from '../codec/keys';
import { samplePurchaseOrder } from '../test/support/purchase-orders';

const rounds = Number(process.argv[2] ?? 20_000);
const codec = new AesGcmCodec(parseCodecKeys(generateKeyEntry(), 'bench'));

function purchaseOrder(lines: number): unknown {
  const po = samplePurchaseOrder('PO-BENCH', Date.now());
  const line = po.line_items[0]!;
  return {
    po: { ...po, line_items: Array.from({ length: lines }, (_, i) => ({ ...line, item_key: `L${i}` })) },
  };
}

async function perPayloadMicros(value: unknown, withCodec: boolean): Promise<number> {
  const once = async () => {
    let payloads: Payload[] = [defaultPayloadConverter.toPayload(value)];
    if (withCodec) payloads = await codec.decode(await codec.encode(payloads));
    return defaultPayloadConverter.fromPayload(payloads[0]!);
  };
  for (let i = 0; i < Math.min(2000, rounds); i++) await once(); // warm-up
  const began = performance.now();
  for (let i = 0; i < rounds; i++) await once();
  return ((performance.now() - began) * 1000) / rounds;
}

async function main(): Promise<void> {
  const rows = [];
  for (const [label, lines] of [
    ['PO, 2 lines', 2],
    ['PO, 200 lines', 200],
  ] as const) {
    const value = purchaseOrder(lines);
    const clear = defaultPayloadConverter.toPayload(value);
    const [encrypted] = await codec.encode([clear]);
    // Interleaved, so drift in the machine's load hits both sides alike.
    const baseline: number[] = [];
    const encryptedRuns: number[] = [];
    for (let i = 0; i < 3; i++) {
      baseline.push(await perPayloadMicros(value, false));
      encryptedRuns.push(await perPayloadMicros(value, true));
    }
    const best = (xs: number[]) => Math.min(...xs);
    rows.push({
      payload: label,
      bytes: temporal.api.common.v1.Payload.encode(clear).finish().length,
      encryptedBytes: temporal.api.common.v1.Payload.encode(encrypted!).finish().length,
      baselineMicros: +best(baseline).toFixed(1),
      codecMicros: +best(encryptedRuns).toFixed(1),
      addedMicros: +(best(encryptedRuns) - best(baseline)).toFixed(1),
      ratio: +(best(encryptedRuns) / best(baseline)).toFixed(2),
    });
  }
  console.table(rows);
  console.log(JSON.stringify({ rounds, node: process.version, rows }));
}

void main();
