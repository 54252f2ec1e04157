/**
 * Flxpoint's activities, served on their own rate-limited task queue (worker/worker.ts).
 */
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import type { FlxpointPoSnapshot } from '../../workflows/flxpoint/lifecycle';
import type { FlxpointPurchaseOrder } from '../../workflows/flxpoint/purchase-order';
import { RequestPacer } from '../pacer';
import type { FlxpointClient, FlxpointPo } from './client';

/**
 * Flxpoint allows 2 requests per second per token. The Flxpoint activities send theirs at least
 * this far apart (2 a second less 10 %, a margin for the time a request takes to arrive), so any
 * 5 seconds carry at most 10 of them: docs/flxpoint.md.
 */
export const FLXPOINT_REQUEST_SPACING_MS = 550;

/**
 * The Flxpoint activities, served on their own rate-limited task queue. Each makes exactly one
 * request, after taking its turn from one pacer that every PO on this worker shares.
 */
export function createFlxpointActivities(deps: { flxpoint: FlxpointClient }) {
  const { flxpoint } = deps;
  const pacer = new RequestPacer(FLXPOINT_REQUEST_SPACING_MS);
  const turn = () => pacer.turn(Context.current().cancellationSignal);
  return {
    async createFlxpointPurchaseOrder(
      body: FlxpointPurchaseOrder,
    ): Promise<{ outcome: 'created'; po: FlxpointPoSnapshot } | { outcome: 'number_in_use' }> {
      await turn();
      const created = await flxpoint.createPurchaseOrder(body).catch((err: unknown) => {
        throw withAttempt(err, Context.current().info.attempt);
      });
      if (created.outcome === 'number_in_use') return created;
      log.info('Flxpoint purchase order created', {
        number: created.po.purchaseOrderNumber,
        id: created.po.id,
      });
      return { outcome: 'created', po: snapshot(created.po) };
    },

    /** After a 409: the PO that holds the number, if it is this order's. */
    async adoptFlxpointPurchaseOrder(body: FlxpointPurchaseOrder): Promise<FlxpointPoSnapshot> {
      await turn();
      return snapshot(await flxpoint.adoptPurchaseOrder(body));
    },

    /** Before cancelling a PO whose create was refused: the PO under its number, if it is this order's. */
    async findFlxpointPurchaseOrder(body: FlxpointPurchaseOrder): Promise<FlxpointPoSnapshot | null> {
      await turn();
      const po = await flxpoint.findPurchaseOrderByNumber(body.purchaseOrderNumber);
      return po && po.orderId === body.orderId && po.sourceId === body.sourceId ? snapshot(po) : null;
    },

    async readFlxpointPurchaseOrder(id: number): Promise<FlxpointPoSnapshot> {
      await turn();
      return snapshot(await flxpoint.getPurchaseOrder(id));
    },

    async cancelFlxpointPurchaseOrder(input: { id: number; reason: string }): Promise<FlxpointPoSnapshot> {
      await turn();
      return snapshot(await flxpoint.cancelPurchaseOrder(input.id, input.reason));
    },
  };
}

export type FlxpointActivities = ReturnType<typeof createFlxpointActivities>;

/**
 * A create refused after an earlier attempt says so (`attempt` in its details): that attempt may
 * have got through with its answer lost, so a cancel looks the number up before it trusts that
 * Flxpoint holds nothing.
 */
function withAttempt(err: unknown, attempt: number): unknown {
  if (!(err instanceof ApplicationFailure) || !err.nonRetryable || attempt <= 1) return err;
  const [first, ...rest] = err.details ?? [];
  const details = [{ ...(first as object), attempt }, ...rest];
  return ApplicationFailure.create({
    type: err.type ?? undefined,
    message: err.message,
    details,
    nonRetryable: true,
  });
}

/** Only what the workflow keeps goes into its history: not addresses, not items. */
function snapshot(po: FlxpointPo): FlxpointPoSnapshot {
  return {
    id: po.id,
    purchaseOrderNumber: po.purchaseOrderNumber,
    purchaseOrderStatus: { handle: po.purchaseOrderStatus.handle },
    processingErrorReason: po.processingErrorReason,
    cancelReason: po.cancelReason,
    voidedReason: po.voidedReason,
  };
}
