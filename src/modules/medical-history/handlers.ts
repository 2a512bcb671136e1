import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../lib/context.ts";
import { registerEntryHandlers } from "../patients/mod.ts";
import * as routes from "./routes.ts";
import {
  addHistoryEntry,
  HISTORY_ENTRY,
  listHistoryEntries,
  updateHistoryEntry,
} from "./service.ts";

export function registerMedicalHistoryHandlers(r: OpenAPIHono<AppEnv>) {
  registerEntryHandlers(r, HISTORY_ENTRY, "entryId", routes, {
    list: listHistoryEntries,
    add: addHistoryEntry,
    update: updateHistoryEntry,
  });
}
