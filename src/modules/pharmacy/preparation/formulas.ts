/**
 * Formulas (bills of materials): what one batch of a product is made of and the work steps that
 * make it, each at a work centre with its planned minutes.
 */
import type { z } from "@hono/zod-openapi";
import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import type { Db } from "../../../../db/client.ts";
import {
  formulaIngredients,
  formulas,
  formulaSteps,
  medications,
  workCentres,
} from "../../../../db/schema/mod.ts";
import { findInTenant, insertTracked, stamp } from "../../../../db/tenant.ts";
import type { Actor, Deps } from "../../../lib/context.ts";
import { type FieldError, notFound, unprocessable } from "../../../lib/errors.ts";
import type { FormulaInput } from "../schemas-preparation.ts";

type FormulaRow = typeof formulas.$inferSelect;
type IngredientRow = typeof formulaIngredients.$inferSelect;
type StepRow = typeof formulaSteps.$inferSelect;

const field = (path: string, message: string): FieldError => ({ path, in: "body", message });

export const toFormula = (f: FormulaRow, ingredients: IngredientRow[], steps: StepRow[]) => ({
  id: f.id,
  name: f.name,
  productId: f.productId,
  batchSize: f.batchSize,
  shelfLifeDays: f.shelfLifeDays,
  instructions: f.instructions,
  active: f.active,
  ingredients: ingredients.map((i) => ({
    id: i.id,
    medicationId: i.medicationId,
    quantity: i.quantity,
  })),
  steps: steps.map((s) => ({
    id: s.id,
    position: s.position,
    name: s.name,
    workCentreId: s.workCentreId,
    plannedMinutes: s.plannedMinutes,
  })),
  version: f.version,
  createdAt: f.createdAt,
  updatedAt: f.updatedAt,
});

export const ingredientsOf = (db: Db, formulaIds: string[]) =>
  db.select().from(formulaIngredients).where(and(
    inArray(formulaIngredients.formulaId, formulaIds),
    isNull(formulaIngredients.deletedAt),
  )).orderBy(asc(formulaIngredients.createdAt), asc(formulaIngredients.id));

export const stepsOf = (db: Db, formulaIds: string[]) =>
  db.select().from(formulaSteps).where(and(
    inArray(formulaSteps.formulaId, formulaIds),
    isNull(formulaSteps.deletedAt),
  )).orderBy(asc(formulaSteps.position));

/** Every rule of a formula, all problems at once, each naming its field. */
async function problemsOf(tx: Db, orgId: string, input: z.infer<typeof FormulaInput>) {
  const problems: FieldError[] = [];
  if (!(await findInTenant(tx, medications, orgId, input.productId))) {
    problems.push(field("productId", "is not in the catalogue"));
  }
  if (input.batchSize <= 0) problems.push(field("batchSize", "must be positive"));
  const seen = new Set<string>();
  for (const [i, ing] of input.ingredients.entries()) {
    const path = `ingredients.${i}`;
    if (ing.medicationId === input.productId) {
      problems.push(field(`${path}.medicationId`, "is the product itself"));
    } else if (seen.has(ing.medicationId)) {
      problems.push(field(`${path}.medicationId`, "is listed twice"));
    } else if (!(await findInTenant(tx, medications, orgId, ing.medicationId))) {
      problems.push(field(`${path}.medicationId`, "is not in the catalogue"));
    }
    seen.add(ing.medicationId);
    if (ing.quantity <= 0) problems.push(field(`${path}.quantity`, "must be positive"));
  }
  for (const [i, step] of input.steps.entries()) {
    const centre = await findInTenant(tx, workCentres, orgId, step.workCentreId);
    if (!centre || !centre.active) {
      problems.push(field(`steps.${i}.workCentreId`, "is not an active work centre here"));
    }
    if (step.plannedMinutes < 0) {
      problems.push(field(`steps.${i}.plannedMinutes`, "must not be negative"));
    }
  }
  return problems;
}

export async function createFormula(deps: Deps, a: Actor, input: z.infer<typeof FormulaInput>) {
  const at = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    const problems = await problemsOf(tx, a.orgId, input);
    if (problems.length) throw unprocessable("The formula breaks its rules.", problems);
    const formula = await insertTracked(tx, formulas, {
      ...stamp(a.orgId, a.userId, at),
      name: input.name,
      productId: input.productId,
      batchSize: input.batchSize,
      shelfLifeDays: input.shelfLifeDays,
      instructions: input.instructions ?? null,
    });
    const ingredients: IngredientRow[] = [];
    for (const ing of input.ingredients) {
      ingredients.push(
        await insertTracked(tx, formulaIngredients, {
          ...stamp(a.orgId, a.userId, at),
          formulaId: formula.id,
          medicationId: ing.medicationId,
          quantity: ing.quantity,
        }),
      );
    }
    const steps: StepRow[] = [];
    for (const [i, step] of input.steps.entries()) {
      steps.push(
        await insertTracked(tx, formulaSteps, {
          ...stamp(a.orgId, a.userId, at),
          formulaId: formula.id,
          position: i + 1,
          name: step.name,
          workCentreId: step.workCentreId,
          plannedMinutes: step.plannedMinutes,
        }),
      );
    }
    await deps.audit.record(tx, a, {
      action: "formula.create",
      entityType: "formula",
      entityId: formula.id,
    });
    return toFormula(formula, ingredients, steps);
  });
}

export async function readFormula(deps: Deps, a: Actor, id: string, db: Db = deps.db.db) {
  const row = await findInTenant(db, formulas, a.orgId, id);
  if (!row) throw notFound("Formula");
  return toFormula(row, await ingredientsOf(db, [id]), await stepsOf(db, [id]));
}

export async function listFormulas(deps: Deps, a: Actor) {
  const db = deps.db.db;
  const rows = await db.select().from(formulas)
    .where(and(eq(formulas.orgId, a.orgId), isNull(formulas.deletedAt)))
    .orderBy(asc(formulas.name), asc(formulas.id)).limit(1000);
  const ids = rows.map((r) => r.id);
  // The page's ingredients and steps in two queries, not two per formula.
  const ingredients = ids.length ? await ingredientsOf(db, ids) : [];
  const steps = ids.length ? await stepsOf(db, ids) : [];
  return {
    data: rows.map((f) =>
      toFormula(
        f,
        ingredients.filter((i) => i.formulaId === f.id),
        steps.filter((s) => s.formulaId === f.id),
      )
    ),
  };
}
