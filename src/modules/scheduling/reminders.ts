/** Appointment reminders through the notification outbox (filled in with the notifications module). */
import type { Db } from "../../../db/client.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import type { AppointmentRow } from "./repository.ts";

export async function scheduleReminders(
  _deps: Deps,
  _tx: Db,
  _a: Actor,
  _row: AppointmentRow,
  _patient: unknown,
) {}
export async function moveReminders(_deps: Deps, _tx: Db, _a: Actor, _row: AppointmentRow) {}
export async function cancelReminders(_deps: Deps, _tx: Db, _a: Actor, _id: string) {}
