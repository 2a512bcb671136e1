import type { Context } from "hono";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { BusinessTable, RowHook, RowRules } from "../../db/tenant.ts";
import type { DatabaseHandle, Db } from "../../db/client.ts";
import type { Config } from "./config.ts";
import type { Clock } from "./clock.ts";
import type { Logger } from "./logger.ts";
import type { Actor, Principal } from "./actor.ts";
import type { Role } from "./permissions.ts";
import type { RateLimiter } from "./rate-limit.ts";
import type { AuditLog, DocumentStorage, PrincipalResolver, TokenService } from "./services.ts";

export type { Actor, Principal };

/** Everything the app is built from; passed in, never global, so tests build their own. */
export interface Deps {
  config: Config;
  db: DatabaseHandle;
  clock: Clock;
  logger: Logger;
  audit: AuditLog;
  loginLimiter: RateLimiter;
  tokens: TokenService;
  principals: PrincipalResolver;
  /** Patient document files (the data folder by default). */
  documents: DocumentStorage;
  /** What the module list declares, built once (lib/module.ts). */
  registry: Registry;
  /**
   * This site's code in the numbers it allocates (MRNK2-000042): SITE_CODE on a standalone
   * server, what the primary assigned on a replica (null until first contact).
   */
  site: { code: string | null };
  /** Background work modules started (onStart), stopped in order on shutdown. */
  background: (() => Promise<void>)[];
}

export type AppEnv = {
  Variables: {
    deps: Deps;
    requestId: string;
    principal: Principal;
    /** The replica node calling a route declared `access: "node"` (middleware/node-auth.ts). */
    node: { id: string; orgId: string; siteCode: string; facilityIds: string[] };
  };
};

/**
 * The caller's address, for audit entries and login rate limits. With TRUST_PROXY (one reverse
 * proxy in front), it is the last X-Forwarded-For entry: the one the proxy itself appended, which
 * a client cannot forge. Otherwise the socket's peer, and the header is ignored.
 */
export function clientIp(c: Context): string | null {
  if ((c as Context<AppEnv>).get("deps")?.config.trustProxy) {
    const forwarded = c.req.header("x-forwarded-for");
    const last = forwarded?.split(",").pop()?.trim();
    if (last) return last;
  }
  const info = (c.env as { remoteAddr?: { hostname?: string } } | undefined)?.remoteAddr;
  return info?.hostname ?? null;
}

/** What an audit entry or a new session records about the request. */
export interface RequestMeta {
  requestId: string;
  ip: string | null;
  userAgent: string | null;
}

export function requestMeta(c: Context<AppEnv>): RequestMeta {
  return {
    requestId: c.get("requestId"),
    ip: clientIp(c),
    userAgent: c.req.header("user-agent") ?? null,
  };
}

/** The tenant-scoped actor of this request. Only routes with a tenant permission call it. */
export function actorOf(c: Context<AppEnv>): Actor {
  const p = c.get("principal");
  if (!p.orgId) throw new Error("actorOf() called on a route without an organisation");
  return {
    userId: p.userId,
    orgId: p.orgId,
    role: p.role,
    facilityId: p.facilityId,
    ...(p.temporary ? { temporary: true } : {}),
    ...requestMeta(c),
  };
}

// The module manifest's types live here, beside Deps, because they refer to each other: a
// summary section loads with the Deps that hold the registry it is listed in. The functions that
// build and check a registry are in module.ts.

/**
 * How a table's rows behave when clinic replicas sync with the primary:
 * - `merge`: concurrent edits of different fields both apply (field level);
 * - `queue`: any concurrent change goes to a conflict queue for a person to decide (signed notes,
 *   dispensed prescriptions, merges);
 * - `append`: rows never change once written (audit, stock movements, payments, versions);
 * - `local`: derived or per-node data (search index, sessions, counters, idempotency keys),
 *   never synced.
 */
export type SyncKind = "merge" | "queue" | "append" | "local";

export type TableSpec =
  & {
    table: SQLiteTable;
    sync: SyncKind;
    /**
     * Other organisations whose nodes receive a row besides its own (a staff account reaches
     * every organisation it is a member of).
     */
    sharedWith?: (tx: Db, row: Record<string, unknown>) => Promise<string[]>;
    /**
     * Fields a replica's change may never set (a platform role): the primary keeps such a
     * change in the conflict queue instead, so one compromised clinic server cannot grant them.
     */
    notFromNodes?: string[];
    /**
     * Fields never written into the change log (password hashes): whoever sends a change of one
     * reads the row's value at that moment.
     */
    secretFields?: string[];
    /**
     * The column that ties a row to one facility: a node that serves only some facilities
     * receives only their rows. Tables without one go to every node of the organisation.
     */
    facilityColumn?: SQLiteColumn;
    /**
     * Rules only the module knows, run after a change from another node is applied to a row of
     * the table (an offline double booking, stock driven negative): it may open a conflict
     * (`openConflict`) but never drops the change.
     */
    onRemoteApply?: (tx: Db, applied: RemoteApplied) => Promise<void>;
    /**
     * The row describes a stored file (a patient document): its bytes follow the row between
     * nodes, found by these columns.
     */
    file?: { storageKey: SQLiteColumn; sha256: SQLiteColumn; sizeBytes: SQLiteColumn };
  }
  & ({ versioned: true } | { notVersioned: string });

/** A change from another node, as applied to one row (see `TableSpec.onRemoteApply`). */
export interface RemoteApplied {
  before: Record<string, unknown> | undefined;
  after: Record<string, unknown>;
  /** The node the change came from ("primary" on a replica). */
  origin: string;
  fields: string[];
  /** Records an open conflict about the row for an ADMIN to decide (primary only). */
  openConflict(reason: string): Promise<void>;
  /**
   * Drops what this process remembers of a user's sessions (resolved principals), so sessions
   * the change ended are refused on the very next request, not a cache lifetime later.
   */
  forgetUser(userId: string): void;
}

export interface SummarySection {
  /** The permission a role needs to see the section; none: every role that reads the summary. */
  permission?: string;
  /** Roles that never see it, whatever their permissions. */
  hiddenFrom?: readonly Role[];
  /**
   * `top`: a key of the summary itself (the registry's own sections, typed in its schema);
   * otherwise under `sections`, by name.
   */
  placement?: "top" | "sections";
  /** The section's content for one patient (already known to exist in the actor's organisation). */
  load(deps: Deps, actor: Actor, patientId: string): Promise<unknown>;
}

export interface RowHookSpec {
  table: SQLiteTable;
  hook: RowHook;
}

export interface ModuleDef {
  /** Folder name under src/modules/. */
  name: string;
  /** The module's routes, mounted under /api/v1 in list order. */
  routes?: () => OpenAPIHono<AppEnv>;
  /** Permissions this module introduces, each with the roles granted it. */
  permissions?: Record<string, readonly Role[]>;
  /** Every table the module owns (its schema lives in db/schema/). */
  tables?: TableSpec[];
  /** Columns of its tables that hold a patient id: merge moves them to the survivor. */
  patientReferences?: SQLiteColumn[];
  /**
   * Columns that hold a patient id but must stay where they are on merge, each with why (the
   * audit trail records who was concerned at the time; a merge records its own two patients).
   */
  keptOnMerge?: { column: SQLiteColumn; reason: string }[];
  /** Work that must follow every write of a table through the generic writers, in its transaction. */
  rowHooks?: RowHookSpec[];
  /** Sections it adds to the patient summary, by name. */
  summarySections?: Record<string, SummarySection>;
  /**
   * Work at start, after migrations (building a derived index that is missing, starting a
   * background loop); a function it answers is called on shutdown.
   */
  onStart?: (deps: Deps) => Promise<void | (() => Promise<void>)>;
  /**
   * Checks this module adds to a step another module owns, by the step's name (the front desk's
   * `encounter.close`: the clinical record refuses while a note is unsigned). Each answers what
   * is still open, in words; the owner runs them inside its transaction and refuses with 409
   * naming them.
   */
  gates?: Record<string, Gate>;
  /**
   * Events this module emits from its write transactions, each with what it means and what its
   * payload holds (the billable events: a visit started, medicines dispensed…). Emitting one
   * that is not declared here is a programming error.
   */
  events?: Record<string, string>;
  /**
   * Work this module does when another module emits an event, inside the emitter's transaction,
   * so a charge exists exactly when what it charges for does. Listening to an event nobody
   * declares fails at start.
   */
  listeners?: Record<string, Listener>;
}

/** What an emitted event carries: its name, the organisation, and the emitter's payload. */
export interface DomainEvent {
  name: string;
  orgId: string;
  at: string;
  payload: Record<string, unknown>;
}

export type Listener = (deps: Deps, tx: Db, a: Actor, event: DomainEvent) => Promise<void>;

/** A check on a step: what is still open about `subject` (nothing: the step may go on). */
export type Gate = (tx: Db, subject: { orgId: string; id: string }) => Promise<string[]>;

export interface PatientReference {
  table: BusinessTable;
  column: SQLiteColumn;
  /** The SQL table name, as merges record it. */
  tableName: string;
  /** The property drizzle uses for the column in `set` objects ("patientId"). */
  key: string;
}

export interface PermissionMatrix {
  can(role: Role, permission: string): boolean;
  rolesWith(permission: string): readonly Role[];
  /** Every declared permission, with the module that declared it. */
  all(): ReadonlyMap<string, { module: string; roles: readonly Role[] }>;
}

export interface Registry {
  modules: readonly ModuleDef[];
  permissions: PermissionMatrix;
  patientReferences: readonly PatientReference[];
  summarySections: ReadonlyMap<string, SummarySection>;
  /** SQL table name → its declaration and the module that made it. */
  tables: ReadonlyMap<string, { module: string; spec: TableSpec }>;
  /** What db/tenant.ts runs after each write: versions, hooks and sharing, by SQL table name. */
  rowRules: RowRules;
  /** Every module's gates on a step, by the step's name (`ModuleDef.gates`). */
  gates: ReadonlyMap<string, readonly Gate[]>;
  /** Declared events (`ModuleDef.events`), with the module that emits each. */
  events: ReadonlyMap<string, { module: string; description: string }>;
  /** Every module's listeners, by event name. */
  listeners: ReadonlyMap<string, readonly Listener[]>;
}
