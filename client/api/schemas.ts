/**
 * The ERP API's bodies as zod schemas: the one source of docs/openapi.json (client/api/openapi.ts
 * converts them). Requests reuse the schemas the workflows parse with (a provider's PO body, the
 * settings, a booking), converted in input mode; responses describe what the server sends, above
 * all the PO view that `poflow status --json` prints, converted in output mode.
 *
 * The views are TypeScript types in workflows/ (PoView, FlxpointPoView); the schemas here are tied
 * to them at compile time (`sameType` below), so a field added to, dropped from or changed in a
 * view fails `tsc` until its schema follows. Rules zod checks in code (refinements) have no JSON
 * Schema form: they are written into the fields' descriptions, here for our own schemas and in
 * `REFINEMENTS` for the shared ones (openapi.ts adds those when it converts).
 */
import { z } from 'zod';
import type { PoView } from '../../workflows/flexport/messages';
import type { FlxpointPoView } from '../../workflows/flxpoint/messages';
import { Booking, PurchaseOrder as FlexportPurchaseOrder } from '../../workflows/flexport/purchase-order';
import {
  FlxpointPurchaseOrder,
  FlxpointPurchaseOrderItem,
  FLXPOINT_PO_STATUSES,
} from '../../workflows/flxpoint/purchase-order';
import { PollSchedule, PoSettings } from '../../workflows/core/settings';
import { PROVIDERS } from '../../workflows/core/choices';
import { MILESTONES } from '../../workflows/flexport/state';
import { STATUS_MEANINGS, type PoStatus } from '../../workflows/core/status';
import type { PoSummary } from '../commands/list';
import type { Verb } from '../purchase-order-requests';
import { PO_LIMITS } from '../purchase-orders';
import { MAX_BATCH, type ApiSchemaName } from './routes';

// ---------------------------------------------------------------------------------------------
// Compile-time ties between a schema and the TypeScript type it describes.

/** A type in a normal form: intersections flattened into one object, at every depth. */
type Normal<T> = T extends readonly (infer U)[]
  ? Normal<U>[]
  : T extends object
    ? { [K in keyof T]: Normal<T[K]> }
    : T;
/**
 * `true` only when A and B are the same type once normalised: the same fields at every depth, each
 * optional exactly where the other is, with the same types (mutual assignability alone would let
 * an optional field be missing on one side).
 */
type SameType<A, B> =
  (<T>() => T extends Normal<A> ? 1 : 2) extends <T>() => T extends Normal<B> ? 1 : 2 ? true : false;
/** Compiles only when `S`'s output is exactly `T`: call it as `sameType<T>()(schema)`. */
function sameType<T>() {
  return <S extends z.ZodType>(schema: S & (SameType<z.output<S>, T> extends true ? unknown : never)): S =>
    schema;
}

// ---------------------------------------------------------------------------------------------
// Small parts.

const Time = z.string().describe('An ISO 8601 time, e.g. 2025-03-01T12:00:00.000Z');
const Provider = z.enum(PROVIDERS).describe('The provider that holds the purchase order');
const Count = z.number().int().min(0);
const Status = z.enum(Object.keys(STATUS_MEANINGS) as [PoStatus, ...PoStatus[]]).describe(
  `poflow's lifecycle status: ${Object.entries(STATUS_MEANINGS)
    .map(([status, meaning]) => `\`${status}\` ${meaning}`)
    .join('; ')}`,
);
const Cause = z.string().describe('Who or what asked for it (an operator action records who asked and why)');

export const FieldError = z
  .strictObject({
    path: z
      .string()
      .describe('The field, e.g. `purchaseOrder.line_items[2].units`; empty for the whole body'),
    message: z.string(),
  })
  .describe('What is wrong with one field (the same messages as the command line)');

export const HistoryEntry = z
  .strictObject({
    at: Time,
    from: Status,
    to: Status,
    change: z.string().optional().describe('What changed beside the status, e.g. `late`, `acknowledged`'),
    cause: Cause,
  })
  .describe('One move of the lifecycle, oldest first (the newest 500 are kept)');

export const AdoptionRecord = z
  .strictObject({
    at: Time,
    provider: Provider,
    providerId: z.number(),
    version: z.number().optional(),
    providerUpdatedAt: z.string().optional().describe("The provider's last change before the adoption"),
    trigger: z.string(),
  })
  .describe('Set when poflow adopted a purchase order it did not create: when, from which provider PO, why');

export const Notifications = z
  .strictObject({
    delivered: Count,
    pending: Count,
    next: z
      .array(z.strictObject({ id: z.string(), type: z.string(), at: Time }))
      .describe('The first few waiting, oldest first'),
    dropped: Count,
    failing: z
      .strictObject({
        id: z.string().describe('The notification that fails'),
        since: Time,
        rounds: Count.describe('Delivery rounds failed so far'),
        lastAt: Time,
        message: z.string().describe('Which endpoints failed and how (host and status only)'),
      })
      .optional(),
  })
  .describe('The notifications to the ERP: delivered, waiting, dropped (POs started before them have none)');

const ProviderError = z.strictObject({
  at: Time,
  status: z.number().describe("The provider's HTTP status"),
  message: z.string().describe("The provider's reason"),
  during: z.enum(['create', 'amend', 'close', 'cancel', 'book']),
});

const Deadline = z.strictObject({
  kind: z.enum(['cargo_ready_check', 'must_arrive_check', 'auto_close', 'quiet_check']),
  at: Time,
});

const Milestones = z
  .strictObject({
    departed: Time.optional(),
    arrived: Time.optional(),
    customs_released: Time.optional(),
    delivered_in_full: Time.optional(),
  })
  .describe(`When each milestone was reached (${MILESTONES.join(', ')})`);

/** Where the API sends a PO: added to the view by the server, as `poflow status --json` adds them. */
const Location = {
  workflowId: z.string().describe("The PO's workflow id: `<provider>/<name>` style, as Temporal knows it"),
  uiUrl: z.string().optional().describe("The PO's page in the Temporal Web UI, when one is known"),
};

// ---------------------------------------------------------------------------------------------
// The PO views: what `GET /v1/purchase-orders/{provider}/{name}` answers.

/** The Flexport view as the API sends it: the workflow always has provider `flexport`. */
type FlexportResponse = Omit<PoView, 'provider'> & {
  provider: 'flexport';
  workflowId: string;
  uiUrl?: string;
};
type FlxpointResponse = FlxpointPoView & { workflowId: string; uiUrl?: string };

export const FlexportPurchaseOrderView = sameType<FlexportResponse>()(
  z
    .strictObject({
      provider: z.literal('flexport'),
      name: z.string().describe("The PO's name: Flexport's `name`"),
      ...Location,
      po: FlexportPurchaseOrder.describe('The PO as last requested: the body of the next full replacement'),
      settings: PoSettings,
      status: Status,
      createdAt: Time,
      acknowledged: z.boolean(),
      bookingOverdue: z.boolean(),
      late: z.boolean(),
      milestones: Milestones,
      providerId: z.number().optional().describe("Flexport's id of the PO"),
      providerVersion: z.number().optional(),
      lines: z.array(
        z.strictObject({
          itemKey: z.string(),
          units: Count,
          bookedUnits: Count.describe('Never above units: an amendment may not go below what is booked'),
          booking: z.enum(['unbooked', 'partial', 'full']),
          providerId: z.number().optional(),
        }),
      ),
      bookings: z.array(
        z.strictObject({
          name: z.string(),
          providerId: z.number(),
          status: z
            .string()
            .describe("The provider's booking status: draft, submitted, booked, shipment, archived"),
          shipmentId: z.number().optional(),
          lines: z.array(z.strictObject({ itemKey: z.string(), units: Count })),
          createdAt: Time,
        }),
      ),
      shipments: z.array(z.strictObject({ id: z.number(), milestones: Milestones })),
      pending: z
        .strictObject({
          intent: z.enum(['create', 'amend', 'close', 'cancel', 'book']),
          since: Time,
          cause: Cause,
        })
        .optional()
        .describe('The provider write in flight: what the PO is waiting for'),
      waitsForProviderCalls: z.boolean().optional(),
      writesInFlight: Count.optional(),
      endRequested: z
        .strictObject({
          status: z.enum(['cancelled', 'closed']),
          since: Time,
          cause: Cause,
          by: z.enum(['operator', 'provider']),
        })
        .optional()
        .describe('An end that waits for the provider writes in flight'),
      acceptedPo: FlexportPurchaseOrder.optional().describe('The body the provider last accepted'),
      acceptedIsPo: z.boolean().optional(),
      weighsOwnWrites: z.boolean().optional(),
      writtenVersion: z.number().optional(),
      providerCopy: z
        .strictObject({
          version: z.number().optional(),
          status: z.enum(['open', 'closed', 'cancelled']),
          dates: z.strictObject({
            cargo_ready_date: z.string().nullish(),
            must_arrive_date: z.string().nullish(),
          }),
          at: Time,
          cause: Cause,
        })
        .optional()
        .describe('The newest the provider showed of the PO while poflow wrote to it'),
      autoCloseRefused: ProviderError.optional(),
      lastError: ProviderError.optional().describe("The provider's last refusal"),
      history: z.array(HistoryEntry),
      quietSince: Time.optional(),
      seenEventIds: z.array(z.number()).describe('Ids of the provider events applied, oldest first'),
      eventsApplied: Count.optional(),
      ignoredEvents: z.array(z.strictObject({ id: z.number(), type: z.string(), at: Time, why: z.string() })),
      adopted: AdoptionRecord.optional(),
      nextDeadlines: z.array(Deadline),
      notifications: Notifications.optional(),
    })
    .describe('A Flexport purchase order: its lifecycle, bookings, milestones, deadlines and history'),
);

export const FlxpointPurchaseOrderView = sameType<FlxpointResponse>()(
  z
    .strictObject({
      provider: z.literal('flxpoint'),
      name: z.string().describe("The PO's name: Flxpoint's `purchaseOrderNumber`"),
      ...Location,
      po: FlxpointPurchaseOrder.describe('The create request as submitted (or as last amended)'),
      poll: PollSchedule,
      status: Status,
      createdAt: Time,
      acknowledged: z.boolean(),
      providerId: z.number().optional().describe("Flxpoint's id of the PO"),
      flxpointStatus: z
        .string()
        .optional()
        .describe(`Flxpoint's own status handle as last read (${FLXPOINT_PO_STATUSES.join(', ')}, ...)`),
      statusReason: z.string().optional().describe("Flxpoint's reason for the current status"),
      pending: z
        .strictObject({ intent: z.enum(['create', 'cancel']), since: Time, cause: Cause })
        .optional()
        .describe('The Flxpoint write in flight: what the PO is waiting for'),
      cancelAfterCreate: z.string().optional(),
      cancelReadsFlxpoint: z.boolean().optional(),
      cancelChecksFlxpoint: z.boolean().optional(),
      createMayHaveLanded: z.boolean().optional(),
      reading: Time.optional(),
      cancelAfterRead: z.string().optional(),
      refusedCancel: z.strictObject({ at: Time, status: z.number(), message: z.string() }).optional(),
      lastError: z
        .strictObject({
          at: Time,
          status: z.number(),
          message: z.string(),
          during: z.enum(['create', 'cancel', 'read']),
        })
        .optional()
        .describe("Flxpoint's last refusal"),
      nextPoll: z
        .strictObject({ at: Time, afterMs: Count })
        .optional()
        .describe('When the status is read next'),
      history: z.array(HistoryEntry),
      adopted: AdoptionRecord.optional(),
      notifications: Notifications.optional(),
    })
    .describe('A Flxpoint purchase order: its lifecycle, Flxpoint status and polling schedule, and history'),
);

export const PurchaseOrderView = z
  .discriminatedUnion('provider', [FlexportPurchaseOrderView, FlxpointPurchaseOrderView])
  .meta({
    description:
      "A purchase order's state and history, the document `poflow status --json` prints: each " +
      "provider's view, told apart by `provider`",
    // OpenAPI's discriminator (for generators and Swagger UI), on an object (for JSON Schema tools).
    type: 'object',
    discriminator: {
      propertyName: 'provider',
      mapping: {
        flexport: '#/components/schemas/FlexportPurchaseOrderView',
        flxpoint: '#/components/schemas/FlxpointPurchaseOrderView',
      },
    },
  });

// ---------------------------------------------------------------------------------------------
// Requests.

const limits =
  `At most ${PO_LIMITS.jsonBytes / 1024} KB of JSON, a name of at most ${PO_LIMITS.nameCharacters} ` +
  `characters and at most ${PO_LIMITS.lines} lines.`;

const Settings = PoSettings.describe(
  'Per-PO settings (the same as `poflow submit`); `provider`, when given here too, must agree with the ' +
    "request's provider",
);

const CreateFlexport = z
  .strictObject({
    provider: z.literal('flexport').optional().describe('Flexport when left out'),
    purchaseOrder: FlexportPurchaseOrder.describe(`Flexport's v3 purchase order body. ${limits}`),
    settings: Settings.optional(),
  })
  .describe('A Flexport purchase order');
const CreateFlxpoint = z
  .strictObject({
    provider: z.literal('flxpoint').optional().describe('Required unless `settings.provider` says flxpoint'),
    purchaseOrder: FlxpointPurchaseOrder.describe(`Flxpoint's Create Purchase Order request. ${limits}`),
    settings: Settings.optional(),
  })
  .describe('A Flxpoint purchase order');

export const CreatePurchaseOrderRequest = z
  .union([CreateFlexport, CreateFlxpoint])
  .describe(
    "A purchase order to follow: the provider's body (its name is the idempotency key) and its settings",
  );

export const AmendPurchaseOrderRequest = z
  .strictObject({
    purchaseOrder: z
      .union([FlexportPurchaseOrder, FlxpointPurchaseOrder])
      .describe(
        "The full replacement body, the provider's as in the path (Flexport's or Flxpoint's). The name " +
          'can not change; a line may not go below the units already booked on it, nor a booked line ' +
          'be removed; Flxpoint takes an amendment only of a PO it refused. ' +
          limits,
      ),
  })
  .describe('A purchase order amended with a full body');

export const CancelRequest = z
  .strictObject({
    reason: z.string().max(1000).optional().describe("Why: recorded in the PO's history with who asked"),
  })
  .describe('Cancel a purchase order; only before any booking');

export const CloseRequest = z
  .strictObject({
    reason: z.string().max(1000).optional().describe("Why: recorded in the PO's history with who asked"),
  })
  .describe('Close a booked purchase order (an empty body is the same as `{}`)');

export const BookingRequest = Booking.describe(
  "What to book; `{}` books every unit left with the PO's dates and mode. A line's units may not be " +
    'above the units left to book on it; `name` is unique per PO (a booking of that name already ' +
    'made is not made again).',
);

export const AdoptionRequest = z
  .strictObject({
    provider: Provider.optional().describe('Flexport when left out'),
    name: z.string().min(1).max(PO_LIMITS.nameCharacters).describe("The PO's name at the provider"),
    settings: Settings.optional(),
  })
  .describe('A purchase order made at the provider (its UI, another integration) to follow from now on');

export const BatchRequest = z
  .strictObject({
    purchaseOrders: z
      .array(CreatePurchaseOrderRequest)
      .min(1)
      .max(MAX_BATCH)
      .describe(
        `Up to ${MAX_BATCH} purchase orders, each as \`POST /v1/purchase-orders\` takes it; each is ` +
          'checked on its own (a refused one does not stop the others)',
      ),
  })
  .describe('Purchase orders to follow in one call');

// ---------------------------------------------------------------------------------------------
// Other responses.

export const PurchaseOrderSummary = sameType<PoSummary>()(
  z
    .strictObject({
      name: z.string(),
      provider: z.string().optional(),
      status: z.string().optional(),
      late: z.boolean(),
      buyerRef: z.string().optional(),
      sellerRef: z.string().optional().describe('For Flxpoint, the source id'),
      cargoReadyDate: z.string().optional().describe('YYYY-MM-DD'),
      mustArriveDate: z.string().optional().describe('YYYY-MM-DD'),
      shipmentIds: z.array(z.string()),
      workflowId: z.string(),
      uiUrl: z.string().optional(),
    })
    .describe('A purchase order as visibility lists it (its search attributes), as `poflow list` shows it'),
);

const STATUSES = Object.keys(STATUS_MEANINGS).join('|');

/**
 * The types of the list's query parameters, as client/api/list.ts checks them (API_ROUTES names
 * them and says what each means): each a filter on the POs' search attributes, all of them
 * together. Strings on the wire.
 */
export const ListPurchaseOrdersQuery = z.strictObject({
  name: z.string().min(1).optional(),
  status: z
    .string()
    .regex(new RegExp(`^ *(${STATUSES}) *(, *(${STATUSES}) *)*$`))
    .optional(),
  provider: Provider.optional(),
  late: z.enum(['true', 'false']).optional(),
  buyerRef: z.string().min(1).optional(),
  pageSize: z
    .string()
    .regex(/^\d{1,4}$/)
    .optional(),
  pageToken: z.string().min(1).optional(),
});

export const PurchaseOrderPage = z
  .strictObject({
    purchaseOrders: z.array(PurchaseOrderSummary),
    nextPageToken: z
      .string()
      .optional()
      .describe('Pass as `pageToken` for the next page; absent on the last page'),
  })
  .describe('One page of purchase orders');

export const BatchResult = z
  .strictObject({
    results: z
      .array(
        z.strictObject({
          index: Count.describe('Its place in `purchaseOrders`'),
          name: z.string().optional().describe('Absent when the body has no readable name'),
          provider: Provider,
          outcome: z
            .enum(['started', 'already_followed', 'refused', 'failed'])
            .describe(
              '`refused`: its fields or the provider said no (`detail`, `errors`); `failed`: poflow could ' +
                'not start it (try it again)',
            ),
          workflowId: z.string().optional(),
          location: z.string().optional().describe('Where to read it, for a PO started or already followed'),
          detail: z.string().optional().describe('Why a PO was refused or failed'),
          errors: z.array(FieldError).optional().describe('The fields that were refused'),
        }),
      )
      .describe('One result per purchase order, in the order given'),
  })
  .describe('What became of each purchase order of a batch');

export const PurchaseOrderSubmitted = z
  .strictObject({
    name: z.string(),
    provider: Provider,
    workflowId: z.string().describe("The PO's workflow in Temporal: `po/{provider}/{name}`"),
    uiUrl: z.string().optional().describe("The workflow's page in the Temporal Web UI, when one is known"),
    status: z.literal('submitting').describe('Started: the provider is being sent the PO'),
    location: z.string().describe('Where to read it: `/v1/purchase-orders/{provider}/{name}`'),
  })
  .describe(
    'A purchase order this request started; read it at `location` (its state is not read here, so ' +
      'a submission answers as fast as Temporal starts the workflow)',
  );

export const RequestInProgress = z
  .strictObject({
    name: z.string(),
    provider: Provider,
    request: z.enum(['amend', 'book', 'close', 'cancel'] satisfies Verb[]),
    outcome: z.literal('in_progress'),
    status: Status.optional().describe("The PO's status when the wait ran out, when it could be read"),
    location: z.string().describe('Where to follow it: `/v1/purchase-orders/{provider}/{name}`'),
  })
  .describe('A request accepted by the purchase order and still under way when the wait ran out');

export const Problem = z
  .strictObject({
    type: z.string().describe('A URI naming the kind of problem, e.g. `urn:poflow:problem:invalid-fields`'),
    title: z.string().describe('The status in words'),
    status: z.number().int().min(400).max(599),
    detail: z.string().describe("What happened, in the command line's words"),
    errors: z.array(FieldError).optional().describe('Each field refused, by path'),
  })
  .describe('An error, as RFC 9457 problem details (`application/problem+json`)');

/** The schema each name in API_ROUTES stands for. */
export const API_SCHEMAS = {
  CreatePurchaseOrderRequest,
  AmendPurchaseOrderRequest,
  CancelRequest,
  CloseRequest,
  BookingRequest,
  AdoptionRequest,
  BatchRequest,
  PurchaseOrder: PurchaseOrderView,
  PurchaseOrderSubmitted,
  PurchaseOrderPage,
  BatchResult,
  RequestInProgress,
  Problem,
} satisfies Record<ApiSchemaName, z.ZodType>;

/**
 * Parts named in the document's components besides the route schemas, by direction: the provider
 * bodies once each (a request's in input form; a view's as poflow keeps it, defaults filled in).
 */
export const REQUEST_PARTS = {
  FlexportPurchaseOrder,
  FlxpointPurchaseOrder,
  PoSettings,
} satisfies Record<string, z.ZodType>;
export const RESPONSE_PARTS = {
  FlexportPurchaseOrderView,
  FlxpointPurchaseOrderView,
  FlexportPurchaseOrderAsKept: FlexportPurchaseOrder,
  FlxpointPurchaseOrderAsKept: FlxpointPurchaseOrder,
  PoSettingsAsKept: PoSettings,
  PurchaseOrderSummary,
  HistoryEntry,
  AdoptionRecord,
  Notifications,
  FieldError,
} satisfies Record<string, z.ZodType>;

/**
 * The rules the shared schemas check in code (refinements, and the boundary's size limits), written
 * into the description of the field they concern. The shared schemas live in workflows/ and are
 * described here, for the document only. Each key is one field's own schema: a schema shared by
 * several fields (the `Text` of every name and key) would carry its rule to all of them.
 */
const flexportShape = FlexportPurchaseOrder.shape;
const lineShape = flexportShape.line_items.element.shape;
const port = flexportShape.origin_port.unwrap().unwrap();
export const REFINEMENTS = new Map<unknown, string>([
  [flexportShape.parties, 'Exactly one seller; at most one buyer, one seller and one owner'],
  [
    flexportShape.line_items,
    `At least one and at most ${PO_LIMITS.lines} line items, each item_key unique; a sub_line or ` +
      'component_line names its main line in parent_line_key',
  ],
  [flexportShape.cargo_ready_date, 'Before must_arrive_date'],
  [flexportShape.must_arrive_date, "Not before the PO's creation date (today, for a new PO)"],
  [lineShape.cargo_ready_date, "Before the line's must_arrive_date (else the PO's)"],
  [lineShape.must_arrive_date, "Not before the PO's creation date"],
  [lineShape.parent_line_key, 'Set exactly on a sub_line or component_line: the item_key of another line'],
  [lineShape.unit_cost, 'Its currency_code is required when the PO has none'],
  // Every count of units (a line's, a destination's, a booking line's) is this one schema.
  [lineShape.units, 'A whole number, at least 0 (whole-number text such as "500" is read as 500)'],
  [
    Booking.shape.lines.unwrap().element.shape.units,
    'In a booking, at least 1 and not above the units left to book on the line',
  ],
  [
    port,
    'The code matches its code_type: unlocode a 5-character UN/LOCODE such as CNSHA, iata 3 letters, ' +
      'icao 4 letters, us_cbp 4 or 5 digits',
  ],
  [FlxpointPurchaseOrderItem, 'Needs a sku or an inventoryVariantId to match inventory'],
  [FlxpointPurchaseOrder.shape.purchaseOrderItems, `At most ${PO_LIMITS.lines} items`],
  [PollSchedule.shape.maxSeconds, 'Not below firstSeconds'],
  [
    PoSettings.shape.poll,
    'Only for a provider whose POs are read on a schedule (Flxpoint); unset: 1 minute doubling to 1 hour',
  ],
]);
