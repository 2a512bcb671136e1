/**
 * A practitioner's calendar feed: an iCalendar file of their own appointments that a phone's
 * calendar subscribes to, so a doctor sees the day without the app. The URL's token is the only
 * credential (a calendar app sends no other): 256 random bits, stored as a hash, revocable, and
 * worth nothing once its owner is no longer an active member allowed to read appointments.
 *
 * What leaves the clinic: a phone's calendar syncs to third-party clouds, so an event names the
 * appointment type and the patient's initials and MRN, never a name or the reason for the visit.
 * Each appointment shown is audited as a read of patient data by the feed's owner.
 */
import { and, asc, eq, gt, isNull, lt, ne } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import {
  appointments,
  calendarFeeds,
  facilities,
  memberships,
  organizations,
  patients,
  users,
} from "../../../db/schema/mod.ts";
import { insertTracked, stamp } from "../../../db/tenant.ts";
import type { Actor, Deps, RequestMeta } from "../../lib/context.ts";
import { notFound, unprocessable } from "../../lib/errors.ts";
import { API_PREFIX } from "../../lib/http.ts";
import type { Role } from "../../lib/permissions.ts";
import { pageNewestFirst } from "../../lib/pagination.ts";
import { hashSecret, newSecret } from "../../lib/secrets.ts";
import { MINUTE } from "../../lib/time.ts";
import { auditedUpdate } from "../../lib/writes.ts";
import { icsDocument, type Property, text, utc } from "./ical.ts";
import { FeedTokenParam } from "./schemas.ts";
import { timezoneOf } from "./service.ts";

type FeedRow = typeof calendarFeeds.$inferSelect;
const ENTITY = "calendar-feed";
const DAY = 24 * 60 * MINUTE;
/** The window a feed shows, around now. */
export const FEED_PAST_DAYS = 30;
export const FEED_FUTURE_DAYS = 90;
/** `last_used_at` is written at most this often per feed (each write is a commit). */
const TOUCH_EVERY_MS = MINUTE;

export const hashFeedToken = (token: string) => hashSecret(token, "calendar-feed");
export const feedPath = (token: string) => `${API_PREFIX}/calendar-feeds/${token}/calendar.ics`;

export const toCalendarFeed = (r: FeedRow) => ({
  id: r.id,
  userId: r.userId,
  createdAt: r.createdAt,
  lastUsedAt: r.lastUsedAt,
  revokedAt: r.revokedAt,
  version: r.version,
});

/** A new feed of the caller's own appointments; the token is answered here and never again. */
export async function createFeed(deps: Deps, a: Actor) {
  const token = newSecret();
  const at = deps.clock.now().toISOString();
  const row = await deps.db.transaction(async (tx) => {
    const row = await insertTracked(tx, calendarFeeds, {
      ...stamp(a.orgId, a.userId, at),
      userId: a.userId,
      tokenHash: hashFeedToken(token),
    });
    await deps.audit.record(tx, a, {
      action: `${ENTITY}.create`,
      entityType: ENTITY,
      entityId: row.id,
    });
    return row;
  });
  return { ...toCalendarFeed(row), token, url: feedPath(token) };
}

/** The caller's own feeds, newest first, revoked ones included (with `revokedAt`). */
export async function listFeeds(deps: Deps, a: Actor, q: { limit: number; cursor?: string }) {
  const page = await pageNewestFirst(deps.db.db, calendarFeeds, a.orgId, [
    eq(calendarFeeds.userId, a.userId),
  ], q);
  return { data: page.data.map(toCalendarFeed), nextCursor: page.nextCursor };
}

/** Revokes one of the caller's own feeds: another user's is not found, like another tenant's. */
export async function revokeFeed(
  deps: Deps,
  a: Actor,
  id: string,
  expectedVersion: number | undefined,
) {
  const row = await deps.db.transaction((tx) =>
    auditedUpdate(deps, tx, a, {
      table: calendarFeeds,
      label: "Calendar feed",
      id,
      expectedVersion,
      scope: eq(calendarFeeds.userId, a.userId),
      set: { revokedAt: deps.clock.now().toISOString() },
      check: (before) => {
        if (before.revokedAt) throw unprocessable("The calendar feed is already revoked.");
      },
      action: `${ENTITY}.revoke`,
      entityType: ENTITY,
      fields: ["revokedAt"],
    })
  );
  return toCalendarFeed(row);
}

/**
 * The live feed a token opens with its owner, or undefined: unknown, revoked, or an owner who
 * is no longer an active member of the organisation (or no longer may read appointments).
 */
async function liveFeed(deps: Deps, token: string) {
  if (!FeedTokenParam.shape.token.safeParse(token).success) return undefined;
  const [row] = await deps.db.db.select({
    id: calendarFeeds.id,
    orgId: calendarFeeds.orgId,
    userId: calendarFeeds.userId,
    lastUsedAt: calendarFeeds.lastUsedAt,
    role: memberships.role,
    facilityId: memberships.facilityId,
    fullName: users.fullName,
    orgName: organizations.name,
  }).from(calendarFeeds)
    .innerJoin(
      memberships,
      and(
        eq(memberships.orgId, calendarFeeds.orgId),
        eq(memberships.userId, calendarFeeds.userId),
        eq(memberships.active, true),
        isNull(memberships.deletedAt),
      ),
    )
    .innerJoin(
      users,
      and(eq(users.id, calendarFeeds.userId), eq(users.active, true), isNull(users.deletedAt)),
    )
    .innerJoin(
      organizations,
      and(eq(organizations.id, calendarFeeds.orgId), isNull(organizations.deletedAt)),
    )
    .where(and(
      eq(calendarFeeds.tokenHash, hashFeedToken(token)),
      isNull(calendarFeeds.revokedAt),
      isNull(calendarFeeds.deletedAt),
    ));
  if (!row || !deps.registry.permissions.can(row.role as Role, "appointments:read")) return;
  return row;
}

/**
 * Notes that the feed was read. Operational state of this server's own (the table is local and
 * never synced), so it is stamped directly, without a version or change-log entry, and at most
 * once a minute: a phone polling the feed should not cost a commit per poll.
 */
async function touch(deps: Deps, feed: { id: string; lastUsedAt: string | null }, now: Date) {
  const stale = new Date(now.getTime() - TOUCH_EVERY_MS).toISOString();
  if (feed.lastUsedAt && feed.lastUsedAt > stale) return;
  await deps.db.transaction((tx) =>
    tx.update(calendarFeeds).set({ lastUsedAt: now.toISOString() }).where(and(
      eq(calendarFeeds.id, feed.id),
      feed.lastUsedAt ? lt(calendarFeeds.lastUsedAt, stale) : isNull(calendarFeeds.lastUsedAt),
    ))
  );
}

/** A practitioner's appointments in the window, cancelled ones left out, by start. */
function feedAppointments(db: Db, orgId: string, practitionerId: string, from: string, to: string) {
  return db.select({
    id: appointments.id,
    patientId: appointments.patientId,
    startAt: appointments.startAt,
    endAt: appointments.endAt,
    durationMinutes: appointments.durationMinutes,
    type: appointments.type,
    status: appointments.status,
    version: appointments.version,
    updatedAt: appointments.updatedAt,
    mrn: patients.mrn,
    givenName: patients.givenName,
    familyName: patients.familyName,
    facilityName: facilities.name,
  }).from(appointments)
    .innerJoin(patients, eq(patients.id, appointments.patientId))
    .leftJoin(facilities, eq(facilities.id, appointments.facilityId))
    .where(and(
      eq(appointments.orgId, orgId),
      eq(appointments.practitionerId, practitionerId),
      // The index runs on (org, practitioner, end); the start bounds the other side.
      gt(appointments.endAt, from),
      lt(appointments.startAt, to),
      ne(appointments.status, "cancelled"),
      isNull(appointments.deletedAt),
    )).orderBy(asc(appointments.startAt), asc(appointments.id));
}
type FeedAppointment = Awaited<ReturnType<typeof feedAppointments>>[number];

/** `follow_up` → `Follow-up`. */
const typeLabel = (type: string) => type[0].toUpperCase() + type.slice(1).replaceAll("_", "-");

/** The first letter of each of the given and family names: `A.O.`. */
const initialsOf = (...names: string[]) =>
  names.map((n) => [...n.trim()][0]?.toLocaleUpperCase()).filter(Boolean).map((c) => `${c}.`)
    .join("");

/** RFC 5545 has CONFIRMED and TENTATIVE for a booking that stands; cancelled ones are left out. */
export const icsStatus = (status: string) => status === "scheduled" ? "TENTATIVE" : "CONFIRMED";

const STATUS_NOTE: Record<string, string> = {
  scheduled: "Status: scheduled (not confirmed yet)",
  confirmed: "Status: confirmed",
  checked_in: "Status: checked in",
  in_progress: "Status: in consultation",
  completed: "Status: completed",
  // A no-show stays: the time was the practitioner's, and the day reads as it happened.
  no_show: "Status: no-show (the patient did not come)",
};

function eventOf(a: FeedAppointment): Property[] {
  const props: Property[] = [
    ["UID", `${a.id}@clinic-api`],
    // When the appointment was last revised, so a client sees the same event on every fetch.
    ["DTSTAMP", utc(a.updatedAt)],
    ["DTSTART", utc(a.startAt)],
    ["DTEND", utc(a.endAt)],
    ["SUMMARY", text(`${typeLabel(a.type)}, ${initialsOf(a.givenName, a.familyName)} (${a.mrn})`)],
    [
      "DESCRIPTION",
      text(
        `${STATUS_NOTE[a.status] ?? `Status: ${a.status}`}\nDuration: ${a.durationMinutes} minutes`,
      ),
    ],
    ["STATUS", icsStatus(a.status)],
    ["SEQUENCE", String(a.version)],
    ["TRANSP", "OPAQUE"],
  ];
  if (a.facilityName) props.push(["LOCATION", text(a.facilityName)]);
  return props;
}

/**
 * The iCalendar text a token opens: 404 (one answer for a token that is malformed, unknown or
 * revoked, or whose owner left) or the owner's appointments from 30 days ago to 90 days ahead.
 */
export async function feedCalendar(deps: Deps, token: string, meta: RequestMeta) {
  const feed = await liveFeed(deps, token);
  if (!feed) throw notFound("Calendar feed");
  const now = deps.clock.now();
  const db = deps.db.db;
  const timezone = await timezoneOf(db, feed.orgId);
  const rows = await feedAppointments(
    db,
    feed.orgId,
    feed.userId,
    new Date(now.getTime() - FEED_PAST_DAYS * DAY).toISOString(),
    new Date(now.getTime() + FEED_FUTURE_DAYS * DAY).toISOString(),
  );
  await touch(deps, feed, now);
  const owner = {
    userId: feed.userId,
    orgId: feed.orgId,
    role: feed.role as Role,
    facilityId: feed.facilityId,
    ...meta,
  };
  for (const r of rows) {
    deps.audit.recordRead(owner, {
      action: "appointment.feed",
      entityType: "appointment",
      entityId: r.id,
      patientId: r.patientId,
    });
  }
  return icsDocument([
    ["PRODID", "-//Clinic API//Calendar feed//EN"],
    ["VERSION", "2.0"],
    ["CALSCALE", "GREGORIAN"],
    ["METHOD", "PUBLISH"],
    ["X-WR-CALNAME", text(`${feed.fullName} – ${feed.orgName}`)],
    ["X-WR-TIMEZONE", timezone],
    // Hints for subscribing clients; most poll on their own schedule anyway.
    ["REFRESH-INTERVAL;VALUE=DURATION", "PT15M"],
    ["X-PUBLISHED-TTL", "PT15M"],
  ], rows.map(eventOf));
}
