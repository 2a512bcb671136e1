/**
 * The module manifest. Each module declares, in one `defineModule` in its mod.ts, everything the
 * rest of the system must know about it: its routes, the permissions it introduces and the roles
 * granted them, its tables (how each replicates, whether each keeps versions), the columns that
 * hold a patient id (moved on merge), work that must follow writes of a table (row hooks),
 * sections of the patient summary, and work at start. `src/modules/index.ts` lists the modules in
 * mount order; the app, the permission matrix, versioning, merge references, row hooks and summary
 * sections are all built from that list (`buildRegistry`), never from import side effects, and
 * `manifestProblems` names the module and the step when something is missing.
 */
import { getTableColumns, is } from "drizzle-orm";
import { getTableConfig, type SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { BusinessTable, RowHook } from "../../db/tenant.ts";
import type {
  Gate,
  Listener,
  ModuleDef,
  PatientReference,
  Registry,
  SummarySection,
  TableSpec,
} from "./context.ts";
import { isPermission } from "./openapi.ts";
import type { Role } from "./permissions.ts";

export type {
  ModuleDef,
  PatientReference,
  PermissionMatrix,
  Registry,
  RowHookSpec,
  SummarySection,
  SyncKind,
  TableSpec,
} from "./context.ts";

/** Declares a module; the identity function that gives the declaration its type. */
export const defineModule = (m: ModuleDef): ModuleDef => m;

export const tableNameOf = (table: SQLiteTable) => getTableConfig(table).name;

/**
 * The audit entity type of a table's rows: its name, singular and kebab-case
 * (`patient_history_entries` → `patient-history-entry`). Audit actions are
 * `<entity type>.<operation>` (`patient-allergy.create`, `patient.read`); see CONTRIBUTING.md.
 */
export function entityTypeOf(table: SQLiteTable): string {
  const words = tableNameOf(table).split("_");
  const last = words.pop()!;
  const singular = last.endsWith("ies")
    ? `${last.slice(0, -3)}y`
    : last.endsWith("sses") || last.endsWith("ches")
    ? last.slice(0, -2)
    : last.endsWith("s")
    ? last.slice(0, -1)
    : last;
  return [...words, singular].join("-");
}

function referenceOf(column: SQLiteColumn): PatientReference {
  const table = column.table as unknown as BusinessTable;
  const entry = Object.entries(getTableColumns(table)).find(([, c]) => c === column);
  if (!entry) throw new Error(`${column.name} is not a column of its table`);
  return { table, column, tableName: tableNameOf(table), key: entry[0] };
}

/**
 * Builds everything the app needs from the module list. A name declared twice (a module, a
 * table, a permission, a summary section) is a programming error and throws, naming both.
 */
export function buildRegistry(modules: readonly ModuleDef[]): Registry {
  const names = new Set<string>();
  const permissions = new Map<string, { module: string; roles: readonly Role[] }>();
  const tables = new Map<string, { module: string; spec: TableSpec }>();
  const sections = new Map<string, SummarySection & { module: string }>();
  const versioned = new Set<string>();
  const hooks = new Map<string, RowHook[]>();
  const sharedWith = new Map<string, NonNullable<TableSpec["sharedWith"]>>();
  const secrets = new Map<string, ReadonlySet<string>>();
  const patientReferences: PatientReference[] = [];
  const gates = new Map<string, Gate[]>();
  const events = new Map<string, { module: string; description: string }>();
  const listeners = new Map<string, Listener[]>();
  const twice = (what: string, name: string, first: string, second: string) =>
    new Error(`${what} ${name} is declared by both module ${first} and module ${second}`);

  for (const m of modules) {
    if (names.has(m.name)) throw new Error(`module ${m.name} is listed twice`);
    names.add(m.name);
    for (const [permission, roles] of Object.entries(m.permissions ?? {})) {
      const prior = permissions.get(permission);
      if (prior) throw twice("permission", permission, prior.module, m.name);
      permissions.set(permission, { module: m.name, roles });
    }
    for (const spec of m.tables ?? []) {
      const name = tableNameOf(spec.table);
      const prior = tables.get(name);
      if (prior) throw twice("table", name, prior.module, m.name);
      tables.set(name, { module: m.name, spec });
      if ("versioned" in spec) versioned.add(name);
      if (spec.sharedWith) sharedWith.set(name, spec.sharedWith);
      if (spec.secretFields) secrets.set(name, new Set(spec.secretFields));
    }
    for (const column of m.patientReferences ?? []) patientReferences.push(referenceOf(column));
    for (const { table, hook } of m.rowHooks ?? []) {
      const name = tableNameOf(table);
      hooks.set(name, [...(hooks.get(name) ?? []), hook]);
    }
    for (const [name, section] of Object.entries(m.summarySections ?? {})) {
      const prior = sections.get(name);
      if (prior) throw twice("summary section", name, prior.module, m.name);
      sections.set(name, { ...section, module: m.name });
    }
    for (const [step, gate] of Object.entries(m.gates ?? {})) {
      gates.set(step, [...(gates.get(step) ?? []), gate]);
    }
    for (const [event, description] of Object.entries(m.events ?? {})) {
      const prior = events.get(event);
      if (prior) throw twice("event", event, prior.module, m.name);
      events.set(event, { module: m.name, description });
    }
    for (const [event, listener] of Object.entries(m.listeners ?? {})) {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
    }
  }
  for (const event of listeners.keys()) {
    if (!events.has(event)) throw new Error(`a module listens to ${event}, which no module emits`);
  }
  return {
    modules,
    permissions: {
      can: (role, permission) => permissions.get(permission)?.roles.includes(role) ?? false,
      rolesWith: (permission) => permissions.get(permission)?.roles ?? [],
      all: () => permissions,
    },
    patientReferences,
    summarySections: sections,
    tables,
    rowRules: { versioned, hooks, sharedWith, secrets },
    gates,
    events,
    listeners,
  };
}

/** The columns every business row carries (db/schema/columns.ts). */
const BUSINESS_COLUMNS = ["id", "org_id", "version", "deleted_at", "created_at", "updated_at"];

const isBusinessTable = (table: SQLiteTable) => {
  const columns = new Set(getTableConfig(table).columns.map((c) => c.name));
  return BUSINESS_COLUMNS.every((c) => columns.has(c));
};

/** Columns of `table` that hold a patient id: by foreign key, or by name when there is none. */
function patientColumns(table: SQLiteTable, patients: SQLiteTable): SQLiteColumn[] {
  const config = getTableConfig(table);
  const out = new Set<SQLiteColumn>(
    config.foreignKeys.map((fk) => fk.reference())
      .filter((ref) => ref.foreignTable === patients)
      .flatMap((ref) => ref.columns),
  );
  for (const c of config.columns) if (/(^|_)patient_id$/.test(c.name)) out.add(c);
  return [...out];
}

/**
 * What the list leaves out or gets wrong, one message per problem, each naming the module (or
 * the table no module declares) and the step: the checks that make forgetting a step fail.
 *
 * - every table of the schema is declared by exactly one module (`tables`), a business table
 *   either versioned or marked not versioned with a reason;
 * - every column that holds a patient id (a foreign key to `patients.id`, or named `patient_id` or
 *   `…_patient_id`) is a registered patient reference, or kept on merge with a reason;
 * - every permission a module grants goes to at least one role;
 * - every patient reference, row hook and summary permission refers to something declared.
 */
export function manifestProblems(
  modules: readonly ModuleDef[],
  schema: { tables: SQLiteTable[]; patients: SQLiteTable },
): string[] {
  const problems: string[] = [];
  let registry: Registry;
  try {
    registry = buildRegistry(modules);
  } catch (err) {
    return [(err as Error).message];
  }
  const ownerOf = (table: SQLiteTable) => registry.tables.get(tableNameOf(table))?.module;
  const kept = new Map(modules.flatMap((m) => m.keptOnMerge ?? []).map((k) => [k.column, k]));
  const referenced = new Set(registry.patientReferences.map((r) => r.column));

  for (const table of schema.tables) {
    const name = tableNameOf(table);
    const declared = registry.tables.get(name);
    if (!declared) {
      problems.push(`table ${name} is declared by no module: add it to a module's \`tables\``);
      continue;
    }
    const { spec, module } = declared;
    if (isBusinessTable(table) && "notVersioned" in spec && !spec.notVersioned.trim()) {
      problems.push(`module ${module}: table ${name} is not versioned and gives no reason`);
    }
    for (const column of patientColumns(table, schema.patients)) {
      if (referenced.has(column)) continue;
      const keep = kept.get(column);
      if (keep?.reason.trim()) continue;
      problems.push(
        `module ${module}: column ${name}.${column.name} holds a patient id but is not in its ` +
          "`patientReferences` (nor in `keptOnMerge` with a reason): merge would leave these " +
          "rows behind",
      );
    }
  }
  for (const ref of registry.patientReferences) {
    const owner = ownerOf(ref.table);
    const declaring = modules.find((m) => m.patientReferences?.includes(ref.column))!.name;
    if (owner !== declaring) {
      problems.push(
        `module ${declaring}: patient reference ${ref.tableName}.${ref.column.name} is on a ` +
          `table it does not declare in \`tables\``,
      );
    }
  }
  for (const [permission, { module, roles }] of registry.permissions.all()) {
    if (roles.length === 0) {
      problems.push(`module ${module}: permission ${permission} is granted to no role`);
    }
  }
  for (const [name, section] of registry.summarySections) {
    if (section.permission && !registry.permissions.all().has(section.permission)) {
      problems.push(
        `summary section ${name} needs permission ${section.permission}, which no ` +
          `module declares`,
      );
    }
  }
  return problems;
}

/** Every table a schema module exports (db/schema/mod.ts). */
export const tablesOf = (schema: Record<string, unknown>): SQLiteTable[] =>
  Object.values(schema).filter((v): v is SQLiteTable => is(v, SQLiteTable));

export interface DeclaredRoute {
  module: string;
  method: string;
  /** As mounted: under the API prefix, OpenAPI style (`/patients/{id}`). */
  path: string;
  permission: string;
}

/** The routes each module's router declares, with the access rule each states. */
export function declaredRoutes(modules: readonly ModuleDef[], prefix: string): DeclaredRoute[] {
  return modules.flatMap((m) => {
    if (!m.routes) return [];
    return m.routes().openAPIRegistry.definitions.flatMap((d) =>
      d.type === "route"
        ? [{
          module: m.name,
          method: d.route.method.toUpperCase(),
          path: prefix + d.route.path,
          permission: String((d.route as { "x-permission"?: string })["x-permission"]),
        }]
        : []
    );
  });
}

/**
 * Routes checked against the list: every permission a route requires is declared by a module
 * and granted to a role, and every route the app serves under `prefix` is one a module declares
 * (nothing mounted beside the list). `served` is the app's own route table (Hono's `app.routes`).
 */
export function routeProblems(
  registry: Registry,
  prefix: string,
  served: { method: string; path: string }[],
  exempt: string[] = [],
): string[] {
  const problems: string[] = [];
  const declared = declaredRoutes(registry.modules, prefix);
  for (const r of declared) {
    if (!isPermission(r.permission)) continue;
    if (registry.permissions.rolesWith(r.permission).length === 0) {
      problems.push(
        `module ${r.module}: ${r.method} ${r.path} requires ${r.permission}, which no module ` +
          "grants to any role (add it to a module's `permissions`)",
      );
    }
  }
  // Hono writes path parameters as `:id`; OpenAPI as `{id}`.
  const known = new Set(declared.map((r) => `${r.method} ${r.path}`));
  for (const route of served) {
    const path = route.path.replace(/:(\w+)/g, "{$1}");
    if (route.method === "ALL" || !path.startsWith(prefix + "/") || exempt.includes(path)) continue;
    if (!known.has(`${route.method} ${path}`)) {
      problems.push(`${route.method} ${path} is served but belongs to no module in the list`);
    }
  }
  return problems;
}
