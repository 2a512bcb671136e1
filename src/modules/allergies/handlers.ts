import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../lib/context.ts";
import { registerEntryHandlers } from "../patients/mod.ts";
import * as routes from "./routes.ts";
import { addAllergy, ALLERGY, listAllergies, updateAllergy } from "./service.ts";

export function registerAllergyHandlers(r: OpenAPIHono<AppEnv>) {
  registerEntryHandlers(r, ALLERGY, "allergyId", routes, {
    list: listAllergies,
    add: addAllergy,
    update: updateAllergy,
  });
}
