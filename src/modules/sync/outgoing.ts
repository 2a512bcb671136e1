/**
 * Change-log entries as they travel: each with what it wrote and, per field, the clock the
 * sender had before it (`base`), so the receiver can tell a later edit from a concurrent one.
 * An entry that does not say what it wrote travels as a snapshot of the row, with each field's
 * own clock: a share entry (a row made visible to another organisation), and entries written
 * before the log kept values (migration 0008) or clocks (0007), so a replica set up against an
 * older primary still receives every row whole.
 */
import type { Db } from "../../../db/client.ts";
import { fieldClocks, type LogEntry, rowEntries } from "../../../db/changes.ts";
import { type BusinessTable, findAny } from "../../../db/tenant.ts";
import type { Registry } from "../../lib/context.ts";
import type { SyncChangeT } from "./schemas.ts";

type RowEntries = Awaited<ReturnType<typeof rowEntries>>;

/** The clock of a write made before clocks were kept: earlier than any real one. */
const BEFORE_CLOCKS = "000000000-0000-legacy";

/**
 * `withBase`: whether each change carries its base clocks. Only the primary reads them (to tell
 * concurrent edits apart), so a push carries them and a pull does not: a replica takes the
 * later clock and leaves conflicts to the primary. Reading them is a look-up of the row's log
 * entries, which costs as much as the rest of sending a change.
 */
export async function toWire(
  db: Db,
  registry: Registry,
  entries: LogEntry[],
  { withBase }: { withBase: boolean },
): Promise<SyncChangeT[]> {
  const histories = new Map<string, RowEntries>();
  const history = async (table: string, rowId: string) => {
    const key = `${table}\u0000${rowId}`;
    let h = histories.get(key);
    if (!h) histories.set(key, h = await rowEntries(db, table, rowId));
    return h;
  };
  const out: SyncChangeT[] = [];
  for (const e of entries) {
    const spec = registry.tables.get(e.tableName)?.spec;
    // What belongs to one node (node credentials, its sync state) never leaves it.
    if (!spec || (spec.sync !== "merge" && spec.sync !== "queue")) continue;
    const table = spec.table as BusinessTable;
    const fields = e.fields ?? [];
    const snapshot = e.origin === "share" || e.values === null || !e.hlc;
    // An insert is its row's first entry: nothing came before it.
    const needsHistory = snapshot || (withBase && e.operation !== "insert");
    const h = needsHistory ? await history(e.tableName, e.rowId) : [];
    const base = withBase ? fieldClocks(h, e.seq) : new Map<string, string>();
    const wire: SyncChangeT = {
      seq: e.seq,
      table: e.tableName,
      rowId: e.rowId,
      op: e.operation as SyncChangeT["op"],
      version: e.version,
      at: e.at,
      actorId: e.actorId,
      hlc: e.hlc,
      values: { ...(e.values ?? {}) },
      base: withBase ? Object.fromEntries(fields.map((f) => [f, base.get(f) ?? null])) : {},
    };
    const secret = spec.secretFields?.filter((f) => fields.includes(f));
    if (snapshot || secret?.length) {
      const row = await findAny(db, table, e.rowId);
      if (!row) continue;
      if (snapshot) {
        wire.values = row;
        wire.hlc ||= BEFORE_CLOCKS;
        wire.clocks = Object.fromEntries(
          [...fieldClocks(h)].map(([f, c]) => [f, c || BEFORE_CLOCKS]),
        );
        wire.version = row.version as number;
        wire.at = row.updatedAt as string;
        wire.actorId = row.updatedBy as string | null;
        wire.base = {};
      } else for (const f of secret!) wire.values[f] = row[f];
    }
    out.push(wire);
  }
  return out;
}
