/** A Flexport shipment's actual dates, read as the milestones poflow's workflow tracks. */
import type { Milestone } from '../../workflows/flexport/state';
import type { FlexportShipment } from './client';

const MILESTONE_DATE_FIELDS = {
  departed: 'actual_departure_date',
  arrived: 'actual_arrival_date',
  customs_released: 'customs_release_date',
  delivered_in_full: 'actual_delivered_in_full_date',
} as const satisfies Record<Milestone, keyof FlexportShipment>;

/** The milestones the shipment's actual dates say it has reached, and when. */
export function milestoneDates(shipment: FlexportShipment): Partial<Record<Milestone, string>> {
  return Object.fromEntries(
    Object.entries(MILESTONE_DATE_FIELDS).flatMap(([milestone, field]) => {
      const date = shipment[field];
      return date ? [[milestone, date]] : [];
    }),
  );
}
