import { createRouter } from "../../lib/router.ts";
import { registerFacilityHandlers } from "./handlers.ts";

export function facilitiesModule() {
  const r = createRouter();
  registerFacilityHandlers(r);
  return r;
}
