import { createRouter } from "../../lib/router.ts";
import { registerOrganizationHandlers } from "./handlers.ts";

export function organizationsModule() {
  const r = createRouter();
  registerOrganizationHandlers(r);
  return r;
}
