// Reference data every installation needs, demo or not: the appeal categories and China's
// working-day calendar for the shipped years. Idempotent; administrators' edits are kept.
import type { Db } from '../db/client.ts';
import { seedCategories } from '../modules/appeals/catalogue.ts';
import { seedCalendar } from '../modules/calendar/calendar.service.ts';

export async function seedReferenceData(db: Db): Promise<void> {
  await seedCategories(db);
  await seedCalendar(db);
}
