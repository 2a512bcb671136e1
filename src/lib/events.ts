/**
 * Domain events between modules. The emitter names what happened inside its own write
 * transaction and every module listening does its part in that same transaction (billing adds
 * the charge for a visit that started), so either both happen or neither does, and the emitter
 * knows nothing of who listens.
 */
import type { Db } from "../../db/client.ts";
import type { Actor, Deps } from "./context.ts";

export async function emit(
  deps: Deps,
  tx: Db,
  a: Actor,
  name: string,
  payload: Record<string, unknown>,
) {
  if (!deps.registry.events.has(name)) {
    throw new Error(`event ${name} is emitted but no module declares it`);
  }
  const listeners = deps.registry.listeners.get(name);
  if (!listeners?.length) return;
  const event = { name, orgId: a.orgId, at: deps.clock.now().toISOString(), payload };
  for (const listener of listeners) await listener(deps, tx, a, event);
}
