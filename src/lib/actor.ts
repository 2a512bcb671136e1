/** Who is acting: the signed-in principal, and the tenant-scoped actor services work for. */
import type { Role } from "./permissions.ts";

/** Who is calling, from a verified token and the live session (see middleware/auth.ts). */
export interface Principal {
  userId: string;
  sessionId: string;
  /** Null for a platform super admin acting outside any organisation. */
  orgId: string | null;
  role: Role;
  facilityId: string | null;
  /**
   * Set when an integration's API key is calling: `userId` is then the key's id (its service
   * identity in the audit trail), `role` is API_KEY, and `permissions` are exactly what it may do.
   */
  apiKey?: { id: string; prefix: string };
  permissions?: readonly string[];
  /**
   * A self-registered account still waiting for an ADMIN's approval, working on temporary
   * access: its audit entries are marked.
   */
  temporary?: boolean;
}

/** The actor and request facts a service needs for tenancy, auditing and actor columns. */
export interface Actor {
  userId: string;
  orgId: string;
  role: Role;
  facilityId: string | null;
  /** See `Principal.temporary`. */
  temporary?: boolean;
  requestId: string;
  ip: string | null;
  userAgent: string | null;
}
