/** Calendar feeds: a practitioner's appointments as an iCalendar subscription (feeds.ts). */
import { z } from "@hono/zod-openapi";
import { IdParam, IfMatchHeader, json, PageQuery, PageSchema } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import { CalendarFeed, NewCalendarFeed } from "./schemas.ts";

const tags = ["Calendar feeds"];

export const create = defineRoute({
  method: "post",
  path: "/calendar-feeds",
  tags,
  access: "appointments:read",
  person: true,
  secret: true,
  summary: "Create a calendar feed of your own appointments",
  description: "For a phone's or desktop calendar: subscribe to `url` (the token in it is the " +
    "only credential, answered once and stored as a hash). The feed holds the appointments " +
    "where you are the practitioner, from 30 days ago to 90 days ahead, cancelled ones left " +
    "out; each event names the type and the patient's initials and MRN only, since calendars " +
    "sync to third-party clouds. Every fetch is audited as a read of those appointments by you. " +
    "Revoke a feed you no longer use (DELETE); it stops working too when you leave the " +
    "organisation or your account is deactivated.",
  responses: { 201: json(NewCalendarFeed, "The feed, its token and its URL (shown once)") },
});

export const list = defineRoute({
  method: "get",
  path: "/calendar-feeds",
  tags,
  access: "appointments:read",
  person: true,
  summary: "List your calendar feeds (without their tokens)",
  description: "Newest first, revoked ones included with `revokedAt`; `lastUsedAt` is when a " +
    "calendar last fetched the feed (to within a minute).",
  request: { query: z.object(PageQuery) },
  responses: { 200: json(PageSchema(CalendarFeed, "CalendarFeedPage"), "A page of your feeds") },
});

export const revoke = defineRoute({
  method: "delete",
  path: "/calendar-feeds/{id}",
  tags,
  access: "appointments:read",
  person: true,
  summary: "Revoke one of your calendar feeds",
  description: "Its URL answers 404 from now on. Another user's feed is not found (404), as " +
    "is another organisation's; revoking a revoked feed answers 422.",
  request: { params: IdParam, headers: IfMatchHeader },
  responses: { 200: json(CalendarFeed, "The revoked feed") },
  errors: [412, 422],
});

/**
 * The token is declared as a plain OpenAPI parameter, not a validated one: a malformed token is
 * answered like an unknown or revoked one (404), never 400, so the URL tells a prober nothing.
 */
export const calendar = defineRoute({
  method: "get",
  path: "/calendar-feeds/{token}/calendar.ics",
  tags,
  access: "public",
  summary: "The feed itself: an iCalendar file (RFC 5545)",
  description: "The credential is the token in the path (from POST /calendar-feeds). 404 for " +
    "any token that is not a live feed's: unknown, revoked, or its owner is no longer an " +
    "active member of the organisation. Times are UTC; X-WR-TIMEZONE names the clinic's zone. " +
    "An event's SUMMARY is the type, the patient's initials and MRN; STATUS is TENTATIVE for a " +
    "scheduled appointment and CONFIRMED once confirmed (checked in, in consultation, " +
    "completed); a no-show stays, with a note in DESCRIPTION. SEQUENCE is the appointment's " +
    "version and UID `<appointment id>@clinic-api`.",
  parameters: [{
    name: "token",
    in: "path",
    required: true,
    description: "The feed's token, as in the `url` POST /calendar-feeds answered.",
    schema: { type: "string", example: "8nLxY0o2q1i3Yw6gq5l2a0WmV6f8XJmPp3Xr9hA1bT4" },
  }],
  responses: {
    200: {
      description: "The calendar",
      content: { "text/calendar": { schema: z.string() } },
    },
  },
});
