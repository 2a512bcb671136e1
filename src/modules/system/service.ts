import { migrationsApplied } from "../../../db/migrate.ts";
import type { Deps } from "../../lib/context.ts";

/** Ready when the database answers and every shipped migration is applied. */
export const isReady = (deps: Deps) => migrationsApplied(deps.db).catch(() => false);
