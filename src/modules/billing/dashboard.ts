/**
 * The owner's morning figures, each in the clinic's timezone and each one indexed aggregate:
 * today's patients and registrations (encounters_org_day_idx, patients_org_created_idx),
 * appointments (appointments_org_start_idx), revenue (payments_org_day_idx: payments received
 * net of refunds and reversals, credit moved between invoices not counted), outstanding
 * (invoices_org_status_idx over the unpaid statuses only) and pharmacy alerts.
 *
 * Amounts are for the roles that handle money (`invoices:read`: ADMIN, FINANCE, RECEPTION);
 * everyone else reads the same stats with every amount null, and is refused the revenue series.
 */
import { and, desc, eq, gte, inArray, isNull, lt, lte, ne, notLike, sql } from "drizzle-orm";
import {
  appointments,
  auditEvents,
  encounters,
  invoices,
  patients,
  payments,
  users,
} from "../../../db/schema/mod.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { addDays, startOfLocalDay, todayIn } from "../../lib/time.ts";
import { orgCurrency, orgSettings } from "../organizations/mod.ts";
import { pharmacyAlerts } from "../pharmacy/mod.ts";
import { CLOSE_METHODS } from "./schemas-cash.ts";

export const seesMoney = (deps: Deps, a: Actor) =>
  deps.registry.permissions.can(a.role, "invoices:read");

async function clinicDay(deps: Deps, orgId: string, date?: string) {
  const { timezone } = await orgSettings(deps.db.db, orgId);
  const today = todayIn(timezone, deps.clock.now());
  const day = date ?? today;
  return {
    today,
    day,
    start: startOfLocalDay(day, timezone),
    end: startOfLocalDay(addDays(day, 1), timezone),
  };
}

const count = sql<number>`count(*)`;

/** Payments received over clinic-local days [from, to], net of what was paid back. */
async function revenueBetween(deps: Deps, orgId: string, from: string, to: string) {
  const [row] = await deps.db.db.select({ sum: sql<number>`coalesce(sum(${payments.amount}), 0)` })
    .from(payments).where(and(
      eq(payments.orgId, orgId),
      gte(payments.localDate, from),
      lte(payments.localDate, to),
      inArray(payments.method, [...CLOSE_METHODS]),
    ));
  return Number(row.sum);
}

export async function stats(deps: Deps, a: Actor) {
  const db = deps.db.db;
  const d = await clinicDay(deps, a.orgId);
  const [[visits], [registered], [booked], alerts] = await Promise.all([
    db.select({
      patients: sql<number>`count(distinct ${encounters.patientId})`,
      walkIn: sql<number>`coalesce(sum(${encounters.type} = 'walk_in'), 0)`,
    }).from(encounters).where(and(
      eq(encounters.orgId, a.orgId),
      eq(encounters.localDay, d.today),
      ne(encounters.status, "cancelled"),
      isNull(encounters.deletedAt),
    )),
    db.select({ n: count }).from(patients).where(and(
      eq(patients.orgId, a.orgId),
      gte(patients.createdAt, d.start),
      lt(patients.createdAt, d.end),
      isNull(patients.deletedAt),
    )),
    db.select({ n: count }).from(appointments).where(and(
      eq(appointments.orgId, a.orgId),
      gte(appointments.startAt, d.start),
      lt(appointments.startAt, d.end),
      ne(appointments.status, "cancelled"),
      isNull(appointments.deletedAt),
    )),
    pharmacyAlerts(deps, a, {}),
  ]);
  let money = { revenueToday: null, revenueMonth: null, outstanding: null } as {
    revenueToday: number | null;
    revenueMonth: number | null;
    outstanding: number | null;
  };
  if (seesMoney(deps, a)) {
    const [owed] = await db.select({
      sum: sql<number>`coalesce(sum(${invoices.total} - ${invoices.paid}), 0)`,
    }).from(invoices).where(and(
      eq(invoices.orgId, a.orgId),
      inArray(invoices.status, ["issued", "partially_paid"]),
      isNull(invoices.deletedAt),
    ));
    money = {
      revenueToday: await revenueBetween(deps, a.orgId, d.today, d.today),
      revenueMonth: await revenueBetween(deps, a.orgId, `${d.today.slice(0, 8)}01`, d.today),
      outstanding: Number(owed.sum),
    };
  }
  return {
    date: d.today,
    patientsToday: Number(visits.patients),
    newRegistrations: Number(registered.n),
    appointments: { scheduled: Number(booked.n), walkIn: Number(visits.walkIn) },
    ...money,
    pharmacyAlerts: alerts.length,
    currency: await orgCurrency(db, a.orgId),
  };
}

/** A daily series over the last `days` clinic-local days (today included), by method. */
export async function revenueSeries(deps: Deps, a: Actor, days: number, start?: string) {
  const d = await clinicDay(deps, a.orgId);
  const from = start ?? addDays(d.today, 1 - days);
  const to = addDays(from, days - 1);
  const rows = await deps.db.db.select({
    date: payments.localDate,
    method: payments.method,
    sum: sql<number>`sum(${payments.amount})`,
  }).from(payments).where(and(
    eq(payments.orgId, a.orgId),
    gte(payments.localDate, from),
    lte(payments.localDate, to),
    inArray(payments.method, [...CLOSE_METHODS]),
  )).groupBy(payments.localDate, payments.method);
  const data = [];
  for (let i = 0; i < days; i++) {
    const date = addDays(from, i);
    const point = { date, ...Object.fromEntries(CLOSE_METHODS.map((m) => [m, 0])), total: 0 } as
      & { date: string; total: number }
      & Record<typeof CLOSE_METHODS[number], number>;
    for (const r of rows.filter((r) => r.date === date)) {
      point[r.method as typeof CLOSE_METHODS[number]] = Number(r.sum);
      point.total += Number(r.sum);
    }
    data.push(point);
  }
  return { from, to, currency: await orgCurrency(deps.db.db, a.orgId), data };
}

/** Clinic-local days' appointments by status and type, and their walk-in visits. */
export async function appointmentBreakdown(
  deps: Deps,
  a: Actor,
  q: { from?: string; to?: string },
) {
  const db = deps.db.db;
  const first = await clinicDay(deps, a.orgId, q.from);
  const last = await clinicDay(deps, a.orgId, q.to ?? first.day);
  const d = { start: first.start, end: last.end };
  const rows = await db.select({
    status: appointments.status,
    type: appointments.type,
    n: count,
  }).from(appointments).where(and(
    eq(appointments.orgId, a.orgId),
    gte(appointments.startAt, d.start),
    lt(appointments.startAt, d.end),
    isNull(appointments.deletedAt),
  )).groupBy(appointments.status, appointments.type);
  const [walkIns] = await db.select({ n: count }).from(encounters).where(and(
    eq(encounters.orgId, a.orgId),
    gte(encounters.localDay, first.day),
    lte(encounters.localDay, last.day),
    eq(encounters.type, "walk_in"),
    isNull(encounters.deletedAt),
  ));
  const byStatus: Record<string, number> = {};
  const byType: Record<string, number> = {};
  for (const r of rows) {
    byStatus[r.status] = (byStatus[r.status] ?? 0) + Number(r.n);
    byType[r.type] = (byType[r.type] ?? 0) + Number(r.n);
  }
  return {
    from: first.day,
    to: last.day,
    total: rows.reduce((s, r) => s + Number(r.n), 0),
    byStatus,
    byType,
    walkIns: Number(walkIns.n),
  };
}

/** Reads fill the trail but are not activity. */
const READS = [".read", ".list", ".history", ".stats", ".print", ".receipt", ".search", ".export"];

/**
 * The latest audited changes of the organisation, newest first. Who the change concerned (the
 * patient's id and name) only for roles that may read patients.
 */
export async function activity(deps: Deps, a: Actor, limit: number) {
  const db = deps.db.db;
  await deps.audit.flush();
  const showPatients = deps.registry.permissions.can(a.role, "patients:read");
  const rows = await db.select({
    id: auditEvents.id,
    at: auditEvents.at,
    action: auditEvents.action,
    entityType: auditEvents.entityType,
    entityId: auditEvents.entityId,
    actorId: auditEvents.actorId,
    actorRole: auditEvents.actorRole,
    actorName: users.fullName,
    patientId: auditEvents.patientId,
    givenName: patients.givenName,
    familyName: patients.familyName,
  }).from(auditEvents)
    .leftJoin(users, eq(users.id, auditEvents.actorId))
    .leftJoin(patients, eq(patients.id, auditEvents.patientId))
    .where(and(
      eq(auditEvents.orgId, a.orgId),
      eq(auditEvents.outcome, "success"),
      ...READS.map((s) => notLike(auditEvents.action, `%${s}`)),
    ))
    .orderBy(desc(auditEvents.seq)).limit(limit);
  return {
    data: rows.map((r) => ({
      id: r.id,
      at: r.at,
      action: r.action,
      entityType: r.entityType,
      entityId: r.entityType === "patient" && !showPatients ? null : r.entityId,
      actor: r.actorId ? { id: r.actorId, name: r.actorName, role: r.actorRole } : null,
      patient: showPatients && r.patientId
        ? {
          id: r.patientId,
          name: r.givenName ? `${r.givenName} ${r.familyName}` : null,
        }
        : null,
    })),
  };
}
