/** Free slots: the practitioner's sessions, less what is past and what is booked. */
import type { z } from "@hono/zod-openapi";
import type { Actor, Deps } from "../../lib/context.ts";
import { unprocessable } from "../../lib/errors.ts";
import { addDays, zonedInstant } from "../../lib/time.ts";
import { overlapping } from "./repository.ts";
import type { AvailabilityQuery } from "./schemas.ts";
import { assertBookable, timezoneOf } from "./service.ts";
import { sessionsBetween, slotsOf } from "./sessions.ts";

const MAX_DAYS = 31;

export async function availability(
  deps: Deps,
  a: Actor,
  q: z.infer<typeof AvailabilityQuery>,
) {
  if (addDays(q.from, MAX_DAYS - 1) < q.to) {
    throw unprocessable(`At most ${MAX_DAYS} days at once.`, [
      { path: "to", in: "query", message: `must be within ${MAX_DAYS} days of from` },
    ]);
  }
  const db = deps.db.db;
  await assertBookable(deps, db, a.orgId, q.practitionerId);
  const timezone = await timezoneOf(db, a.orgId);
  const sessions = (await sessionsBetween(db, a.orgId, q.practitionerId, q.from, q.to))
    .filter((s) => !q.facilityId || !s.facilityId || s.facilityId === q.facilityId)
    .filter((s) => !q.type || s.types.length === 0 || s.types.includes(q.type));
  const from = zonedInstant(q.from, "00:00", timezone) ?? Date.parse(`${q.from}T00:00:00Z`);
  const to = zonedInstant(addDays(q.to, 1), "00:00", timezone) ??
    Date.parse(`${addDays(q.to, 1)}T00:00:00Z`);
  const booked = (await overlapping(
    db,
    a.orgId,
    q.practitionerId,
    new Date(from - 86_400_000).toISOString(),
    new Date(to + 86_400_000).toISOString(),
  )).map((b) => [Date.parse(b.startAt), Date.parse(b.endAt)] as const);
  const now = deps.clock.now().getTime();
  const data = sessions.flatMap((s) => slotsOf(s, timezone))
    .filter((slot) => slot.start >= now)
    .filter((slot) => !booked.some(([s, e]) => s < slot.end && slot.start < e))
    .sort((x, y) => x.start - y.start)
    .map((slot) => ({
      start: new Date(slot.start).toISOString(),
      end: new Date(slot.end).toISOString(),
      facilityId: slot.facilityId,
    }));
  return { timezone, data };
}
