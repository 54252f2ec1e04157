/**
 * The account's network: legal entities (parties' `external_ref`), network locations
 * (`*_location_ref`, booking address refs), known ports (UN/LOCODE with IATA / ICAO / US CBP
 * aliases) and the product library. Seeded from fixtures/network.json, extended by the
 * `network` start option and by the admin endpoints.
 */
import { z } from 'zod';
import fixture from './fixtures/network.json';
import type { PortCodeType } from './enums';

const text = z.string().min(1);
const nullableText = z
  .string()
  .nullish()
  .transform((v) => v ?? null);

export const LocationSchema = z.object({
  ref: text,
  name: nullableText,
  street_address: nullableText,
  street_address2: nullableText,
  city: text,
  state: nullableText,
  country: text,
  country_code: text,
  zip: nullableText,
  unlocode: nullableText,
  timezone: text,
});
export type Location = z.output<typeof LocationSchema>;

export const LegalEntitySchema = z.object({
  ref: text,
  id: z.number().int().positive().optional(),
  name: text,
  /** The company the entity belongs to (`f.buyer_ref` / `f.seller_ref`); the entity ref when unset. */
  company_ref: text.optional(),
  mailing_address: LocationSchema.omit({ ref: true, name: true }),
  vat_numbers: z.array(z.object({ country_code: text, number: text })).default([]),
});
export type LegalEntity = z.output<typeof LegalEntitySchema>;

export const PortSchema = z.object({
  unlocode: z.string().regex(/^[A-Z]{2}[A-Z0-9]{3}$/),
  name: text,
  city: text,
  state: nullableText,
  country: text,
  country_code: text,
  timezone: text,
  iata: text.optional(),
  icao: text.optional(),
  us_cbp: text.optional(),
});
export type Port = z.output<typeof PortSchema>;

export const ProductSchema = z.object({ sku: text, name: text });
export type Product = z.output<typeof ProductSchema>;

export const NetworkSchema = z.object({
  /** The calling company's primary entity: the buyer when a PO names none, and "you" for `f.roles`. */
  primary_entity_ref: text.optional(),
  legal_entities: z.array(LegalEntitySchema).default([]),
  locations: z.array(LocationSchema).default([]),
  ports: z.array(PortSchema).default([]),
  products: z.array(ProductSchema).default([]),
});
export type NetworkInput = z.input<typeof NetworkSchema>;
export type NetworkData = z.output<typeof NetworkSchema>;

export function address(location: Partial<Omit<Location, 'name'>>) {
  return {
    _object: '/address',
    street_address: location.street_address ?? null,
    street_address2: location.street_address2 ?? null,
    city: location.city ?? null,
    state: location.state ?? null,
    country: location.country ?? null,
    country_code: location.country_code ?? null,
    zip: location.zip ?? null,
    unlocode: location.unlocode ?? null,
    timezone: location.timezone ?? null,
    ref: location.ref ?? null,
  };
}

export class Network {
  readonly primaryEntityRef: string;
  private readonly entities = new Map<string, LegalEntity & { id: number }>();
  private readonly locations = new Map<string, Location>();
  private readonly ports = new Map<string, Port>();
  private readonly products = new Map<string, Product>();
  private nextEntityId = 900001;
  /** Goes up with every change after construction, so persistence saves the network only when it changed. */
  revision = 0;

  constructor(...sources: NetworkInput[]) {
    const parsed = [fixture, ...sources].map((s) => NetworkSchema.parse(s));
    const named = parsed.map((p) => p.primary_entity_ref).filter((ref) => ref !== undefined);
    this.primaryEntityRef = named.at(-1) ?? parsed[0]!.legal_entities[0]!.ref;
    for (const part of parsed) this.add(part);
    this.revision = 0;
  }

  add(part: NetworkData): void {
    this.revision += 1;
    for (const entity of part.legal_entities) {
      this.entities.set(entity.ref, { ...entity, id: entity.id ?? this.nextEntityId++ });
    }
    for (const location of part.locations) this.locations.set(location.ref, location);
    for (const port of part.ports) this.ports.set(port.unlocode, port);
    for (const product of part.products) this.products.set(product.sku, product);
  }

  /** The whole network as data, for persistence of what the admin endpoints added. */
  snapshot(): NetworkData {
    return {
      primary_entity_ref: this.primaryEntityRef,
      legal_entities: [...this.entities.values()],
      locations: [...this.locations.values()],
      ports: [...this.ports.values()],
      products: [...this.products.values()],
    };
  }

  entity(ref: string) {
    return this.entities.get(ref);
  }

  companyRef(entityRef: string): string {
    return this.entities.get(entityRef)?.company_ref ?? entityRef;
  }

  location(ref: string) {
    return this.locations.get(ref);
  }

  product(sku: string) {
    return this.products.get(sku);
  }

  rememberProduct(product: Product): void {
    if (this.products.has(product.sku)) return;
    this.products.set(product.sku, product);
    this.revision += 1;
  }

  port(code: string, codeType: PortCodeType): Port | undefined {
    if (codeType === 'unlocode') return this.ports.get(code);
    return [...this.ports.values()].find((p) => p[codeType] === code);
  }

  companyEntity(ref: string) {
    const entity = this.entities.get(ref);
    if (!entity) return null;
    return {
      _object: '/company_entity',
      id: entity.id,
      name: entity.name,
      mailing_address: address({ ...entity.mailing_address, ref: undefined }),
      ref: entity.ref,
      vat_numbers: entity.vat_numbers.map((v) => ({ _object: '/company_entity/vat_number', ...v })),
    };
  }

  locationAddress(ref: string) {
    const location = this.locations.get(ref);
    return location ? address(location) : null;
  }

  place(port: Port) {
    return {
      _object: '/place',
      name: port.name,
      address: address({ ...port, ref: `port-${port.unlocode}` }),
      details: [
        { _object: '/ocean/port', port_code: port.us_cbp ?? port.unlocode },
        ...(port.iata ? [{ _object: '/air/port', port_code: port.iata }] : []),
      ],
    };
  }
}
