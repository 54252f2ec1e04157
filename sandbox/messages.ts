/**
 * Error messages of the provider. The 422 texts carry the wording of Flexport's PO tutorial
 * (its "Error Status 422" list) verbatim; where the tutorial elides context with "...", the
 * sandbox adds the offending value around the documented fragment.
 */
export const messages = {
  cancelWithActiveBooking: (name: string) =>
    `Purchase order ${name} may not be cancelled since it has an active booking`,
  removeBookedLineItems: 'Cannot remove line items that have been booked',
  fewerUnitsThanBooked: 'Cannot update a line item to request fewer units than have already been booked',
  unknownCompany: (ref: string) => `Company does not exist for reference ${ref}`,
  duplicateItemKey: (name: string) => `Purchase Order ${name} has multiple line items with same item key`,
  unknownLocation: (field: string, ref: string) =>
    `Unknown ${field} ${ref}: location_ref requires a network location set up under the parent company`,
  mustArriveBeforeCreation: (date: string, created: string) =>
    `Validation failed: Must arrive date ${date} is before the purchase order creation date ${created}`,
  invalidStatus: (value: string) => `${value} is not a valid Purchase Order Status`,
  productNameEmpty: (sku: string) =>
    `Validation failed: product_name cannot be empty for a new product (sku ${sku})`,
  productSkuMissing: (itemKey: string) =>
    `Validation failed: product_sku must be specified for line item ${itemKey}`,
  unknownUnitOfMeasure: 'Unknown unit of measure',
  invalidTransportationMode: (value: string) =>
    `Validation failed: ${value} is an invalid transportation mode`,
  invalidIncoterm: (value: string) => `Validation failed: Invalid incoterm ${value}`,
  noLineItems: 'You must specify at least one line item under po_line_items',
  sellerRoleChange: (name: string) => `Purchase order ${name}: can not change the seller role`,
  cargoReadyAfterMustArrive: (cargoReady: string, mustArrive: string) =>
    `cargo_ready_date ${cargoReady} must chronologically precede must_arrive_date ${mustArrive}`,
  sellerRequired: 'A seller party is required',
  currencyMissing: (itemKey: string) =>
    `Validation failed: currency_code must be specified for the purchase order or for line item ${itemKey}`,
  nameChange: (from: string, to: string) => `Purchase order ${from}: can not change the name to ${to}`,
  buyerChange: (name: string) => `Purchase order ${name}: can not change the buyer role`,
  invalidPortCode: (code: string, codeType: string) =>
    `Invalid port code ${code}: not a known ${codeType} code`,
  // 503 / 504 texts from the tutorial's "Error Statuses 503 or 504".
  serviceUnavailable: 'Error message received from Http Server, Code 503: Service Unavailable.',
  gatewayTimeout: 'Error message received from Http Server, Code 504: Gateway Time-out.',
} as const;
