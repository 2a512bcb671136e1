/**
 * Creating the platform super admin: there is no route for it (no one could call it first), so
 * the seed and operators' scripts use this.
 */
import { eq } from "drizzle-orm";
import { insertTracked, stamp } from "../../../db/tenant.ts";
import { users } from "../../../db/schema/mod.ts";
import type { Deps } from "../../lib/context.ts";
import { newId } from "../../../db/ids.ts";
import { hashPassword } from "../../lib/password.ts";

export const PLATFORM_ORG = "platform";

/** Creates the super admin unless the email exists; answers the user id either way. */
export async function ensureSuperAdmin(
  deps: Deps,
  input: { email: string; password: string; fullName: string },
): Promise<string> {
  const email = input.email.trim().toLowerCase();
  const [existing] = await deps.db.db.select({ id: users.id, isSuperAdmin: users.isSuperAdmin })
    .from(users).where(eq(users.email, email));
  if (existing?.isSuperAdmin) return existing.id;
  if (existing) throw new Error(`${email} exists as an ordinary account, not a super admin.`);
  const passwordHash = await hashPassword(input.password, deps.config.passwordLogN);
  const at = deps.clock.now().toISOString();
  const id = newId();
  await deps.db.transaction(async (tx) => {
    await insertTracked(tx, users, {
      ...stamp(PLATFORM_ORG, null, at, id),
      email,
      fullName: input.fullName,
      passwordHash,
      isSuperAdmin: true,
    });
    await deps.audit.record(tx, { requestId: "bootstrap" }, {
      action: "user.create-super-admin",
      entityType: "user",
      entityId: id,
    });
  });
  return id;
}
