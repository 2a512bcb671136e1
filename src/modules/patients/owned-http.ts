/**
 * The HTTP side of the patient-owned record kit: the routes every kind of entry shares word for
 * word (remove, versions) and one handler set for the five operations. A kind's module declares
 * its list, create and update routes itself, since their descriptions state its own rules, and
 * its service supplies list, add and update; removal and versions come from the kit as they are.
 */
import type { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Actor, AppEnv, Deps } from "../../lib/context.ts";
import { actorOf } from "../../lib/context.ts";
import { API_PREFIX, created, ifMatch, withEtag } from "../../lib/http.ts";
import { IfMatchHeader, json } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import {
  changeEntry,
  type EntryKind,
  type EntryTable,
  type EntryTarget,
  type PageRequest,
  versionsOf,
} from "./owned.ts";
import { entryParams, EntryVersionPage, VersionPageQuery } from "./owned-schemas.ts";
import { entityTypeOf } from "../../lib/module.ts";

export interface EntryRouteSpec<S extends z.ZodTypeAny> {
  /** `/patients/{id}/allergies` */
  collection: string;
  /** The path parameter naming one entry: `allergyId`. */
  param: string;
  tags: string[];
  /** "allergy", "medical history entry": for summaries. */
  noun: string;
  /** The entry's API schema and the name its version page is registered under. */
  schema: S;
  schemaName: string;
  read: string;
  write: string;
}

/** `DELETE …/{param}` and `GET …/{param}/history` of a kind of entry. */
export function entryRoutes<S extends z.ZodTypeAny>(spec: EntryRouteSpec<S>, table: EntryTable) {
  const member = `${spec.collection}/{${spec.param}}`;
  const params = entryParams(spec.param);
  return {
    remove: defineRoute({
      method: "delete",
      path: member,
      tags: spec.tags,
      access: spec.write,
      summary: `Remove ${article(spec.noun)} (soft: its versions stay readable)`,
      description: "Recorded in error, for example. If-Match is optional; a stale one " +
        "answers 412. A merged record answers 409.",
      request: { params, headers: IfMatchHeader },
      responses: { 204: { description: "Removed" } },
      errors: [409, 412],
    }),
    versions: defineRoute({
      method: "get",
      path: `${member}/history`,
      tags: spec.tags,
      access: spec.read,
      summary: `List the versions of ${article(spec.noun)}`,
      description: `Oldest first: who changed it, when, which fields, and the ${spec.noun} as ` +
        `it was. Readable after removal. Audited as ${entityTypeOf(table)}.history.`,
      request: { params, query: VersionPageQuery },
      responses: {
        200: json(EntryVersionPage(spec.schema, spec.schemaName), "A page of versions"),
      },
    }),
  };
}

const article = (noun: string) => `${/^[aeiou]/.test(noun) ? "an" : "a"} ${noun}`;

/** What a kind's service supplies: its list filters, and its rules on add and update. */
export interface EntryOperations<V> {
  list(
    deps: Deps,
    a: Actor,
    patientId: string,
    q: PageRequest & Record<string, unknown>,
  ): Promise<unknown>;
  add(deps: Deps, a: Actor, patientId: string, input: never): Promise<V & { id: string }>;
  update(deps: Deps, a: Actor, target: EntryTarget, patch: never): Promise<V & { version: number }>;
}

/**
 * Registers the five operations of a kind of entry. The routes are typed by their module; here
 * they are taken as the same five shapes, which their declarations guarantee.
 */
export function registerEntryHandlers<T extends EntryTable, V extends { version: number }>(
  r: OpenAPIHono<AppEnv>,
  kind: EntryKind<T, V>,
  param: string,
  routes: Record<"list" | "create" | "update" | "remove" | "versions", unknown>,
  ops: EntryOperations<V>,
) {
  // deno-lint-ignore no-explicit-any
  const open = (route: unknown, handler: (c: any) => Promise<Response>) =>
    r.openapi(route as never, handler as never);
  const target = (c: { req: { valid(t: "param"): Record<string, string> } }, version?: number) => {
    const p = c.req.valid("param");
    return { patientId: p.id, entryId: p[param], expectedVersion: version };
  };
  open(routes.list, async (c) =>
    c.json(
      await ops.list(c.get("deps"), actorOf(c), c.req.valid("param").id, c.req.valid("query")),
      200,
    ));
  open(routes.create, async (c) => {
    const { id } = c.req.valid("param");
    const entry = await ops.add(c.get("deps"), actorOf(c), id, c.req.valid("json") as never);
    return created(c, entry, `${c.req.path.slice(API_PREFIX.length)}/${entry.id}`);
  });
  open(routes.update, async (c) =>
    withEtag(
      c,
      await ops.update(
        c.get("deps"),
        actorOf(c),
        target(c, ifMatch(c)),
        c.req.valid("json") as never,
      ),
    ));
  open(routes.remove, async (c) => {
    await changeEntry(c.get("deps"), actorOf(c), kind, target(c, ifMatch(c)), { remove: true });
    return c.body(null, 204);
  });
  open(routes.versions, async (c) => {
    const { patientId, entryId } = target(c);
    return c.json(
      await versionsOf(c.get("deps"), actorOf(c), kind, patientId, entryId, c.req.valid("query")),
      200,
    );
  });
}
