import { createRouter } from "../../lib/router.ts";
import { registerAuthHandlers } from "./handlers.ts";

export function authModule() {
  const r = createRouter();
  registerAuthHandlers(r);
  return r;
}
