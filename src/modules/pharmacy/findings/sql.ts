/** Raw SQL plumbing the rules share: rows as arrays, the movement filter, evidence. */
import type { Db } from "../../../../db/client.ts";
import { executorOf } from "../../../../db/client.ts";
import type { RuleName } from "./settings.ts";

export type Row = any[];

export async function all(db: Db, sql: string, params: unknown[]): Promise<Row[]> {
  return (await executorOf(db)(sql, params, "all")).rows as Row[];
}

/** What a finding shows of each movement that is its evidence. */
export interface Evidence {
  movementId: string;
  at: string;
  actorId: string | null;
  type: string;
  quantity: number;
  medicationId: string;
  storeId: string;
}

/** The columns `evidence()` reads, in order, from a movement aliased `m`. */
export const EV = "m.id, m.at, m.actor_id, m.type, m.quantity, m.medication_id, m.store_id";

export const evidence = (r: Row, offset = 0): Evidence => ({
  movementId: r[offset],
  at: r[offset + 1],
  actorId: r[offset + 2],
  type: r[offset + 3],
  quantity: Number(r[offset + 4]),
  medicationId: r[offset + 5],
  storeId: r[offset + 6],
});

/** Evidence kept on a finding: the most recent movements when there are very many. */
export const EVIDENCE_LIMIT = 50;

export async function evidenceByIds(db: Db, ids: string[]): Promise<Evidence[]> {
  const rows = await all(
    db,
    `SELECT ${EV} FROM stock_movements m WHERE m.id IN (SELECT value FROM json_each(?))
     ORDER BY m.at DESC, m.id DESC LIMIT ${EVIDENCE_LIMIT}`,
    [JSON.stringify(ids)],
  );
  return rows.map((r) => evidence(r)).reverse();
}

/**
 * Which movements a rule looks at: exactly some (a write's own, incremental) or an
 * organisation's over a time range (a scan, or a window around a write), optionally of some
 * users or medications.
 */
export interface Scope {
  orgId: string;
  timezone: string;
  from: string;
  to: string;
  movementIds?: string[];
  actorIds?: string[];
  medicationIds?: string[];
}

export function movementFilter(s: Scope, alias = "m", types?: readonly string[]) {
  if (s.movementIds) {
    // By primary key only, so SQLite looks the few rows up instead of scanning a range.
    return {
      sql: `${alias}.id IN (SELECT value FROM json_each(?)) AND ${alias}.org_id = ?`,
      params: [JSON.stringify(s.movementIds), s.orgId] as unknown[],
    };
  }
  if (types && !s.actorIds && !s.medicationIds) {
    // Rules about a rare kind of movement (write-offs, variances, returns) seek each type's
    // range in the (organisation, type, time) index instead of reading the whole ledger.
    const list = types.map((t) => `'${t}'`).join(", ");
    return {
      sql: `${alias}.org_id = ? AND ${alias}.type IN (${list}) AND ${alias}.at >= ? AND ` +
        `${alias}.at < ?`,
      params: [s.orgId, s.from, s.to] as unknown[],
    };
  }
  // Without a user, medication or rare type, no index narrows the range (each leads with the
  // organisation, then user or medication, then time): SQLite is told not to use one
  // ("+"), since walking an index and fetching every row from it is far slower than reading
  // the table straight through.
  const narrowed = s.actorIds || s.medicationIds;
  let sql = `${narrowed ? "" : "+"}${alias}.org_id = ? AND ${alias}.at >= ? AND ${alias}.at < ?`;
  const params: unknown[] = [s.orgId, s.from, s.to];
  if (s.actorIds) {
    sql += ` AND ${alias}.actor_id IN (SELECT value FROM json_each(?))`;
    params.push(JSON.stringify(s.actorIds));
  }
  if (s.medicationIds) {
    sql += ` AND ${alias}.medication_id IN (SELECT value FROM json_each(?))`;
    params.push(JSON.stringify(s.medicationIds));
  }
  return { sql, params };
}

/** A finding a rule would raise; detect.ts gives it its id and sentence and inserts it once. */
export interface Candidate {
  rule: RuleName;
  /** What makes it one finding (with the organisation and rule, its id). */
  key: string;
  subjectUserId: string | null;
  medicationId: string | null;
  storeId: string | null;
  values: { measured: number; threshold: number } & Record<string, unknown>;
  evidence: Evidence[];
  /** What the sentence needs beyond names (explain.ts). */
  facts: Record<string, unknown>;
}
