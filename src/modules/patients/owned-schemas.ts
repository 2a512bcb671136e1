/** API shapes shared by allergies, medical history and the version lists of both. */
import { z } from "@hono/zod-openapi";
import { IdParam, PageQuery } from "../../lib/openapi.ts";

export const requiredText = (max: number) => z.string().trim().min(1, "must not be empty").max(max);
export const optionalText = (max: number) => requiredText(max).nullable().optional();

/** A PATCH body must change something. */
export const nonEmptyPatch = <T extends z.ZodObject>(schema: T) =>
  schema.refine((o) => Object.keys(o).length > 0, "send at least one field");

/** Row bookkeeping every clinical entry shows. */
export const rowMeta = {
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  createdBy: z.string().nullable(),
  updatedBy: z.string().nullable(),
};

/** `{id}` (the patient) and the id of one of its entries, named `name`. */
export const entryParams = (name: string) =>
  z.object({
    id: IdParam.shape.id,
    [name]: z.string().uuid().openapi({
      param: { name, in: "path" },
      example: "01936f0e-9b1d-7a2e-8c31-4d5e6f708192",
    }),
  });

export const VersionPageQuery = z.object(PageQuery);

/** Who made a change: the user with their name, their bare id if unknown, null for the system. */
export const ChangedBy = z.union([
  z.object({ id: z.string(), name: z.string() }),
  z.string(),
]).nullable().openapi("ChangedBy");

/** What every version of a versioned row says about the change. */
export const versionFields = {
  version: z.number().int().openapi({ example: 2 }),
  operation: z.enum(["insert", "update", "delete"]),
  changedAt: z.string().openapi({ example: "2026-03-04T09:15:22.481Z" }),
  changedBy: ChangedBy,
  fields: z.array(z.string()).openapi({
    description: "Names of the fields this change set or changed.",
    example: ["phone"],
  }),
};

/** A page of versions of one clinical entry, each with the entry as it was after the change. */
export const EntryVersionPage = <T extends z.ZodTypeAny>(entry: T, name: string) =>
  z.object({
    data: z.array(z.object({ ...versionFields, entry }).openapi(`${name}Version`)),
    nextCursor: z.string().nullable(),
  }).openapi(`${name}VersionPage`);
