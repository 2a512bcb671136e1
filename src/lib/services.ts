/**
 * The services the app is built from, as interfaces: `Deps` (context.ts) holds one of each, the
 * modules implement them (audit, auth, patient-documents) and everything else uses them through
 * these types, so nothing below the modules needs to import a module.
 */
import type { Actor, Principal } from "./actor.ts";
import type { Role } from "./permissions.ts";
import type { Db } from "../../db/client.ts";

export type AuditOutcome = "success" | "denied" | "failure";

export interface AuditEntry {
  action: string;
  outcome?: AuditOutcome;
  entityType?: string | null;
  entityId?: string | null;
  patientId?: string | null;
  /** Several patients at once (a list or search page): one entry, indexed per patient. */
  patientIds?: string[] | null;
  changedFields?: string[] | null;
}

/** Request facts an audit entry needs; an Actor has them, and so does an anonymous caller. */
export type AuditSubject = Partial<Omit<Actor, "requestId">> & { requestId: string };

export interface AuditLog {
  /** Appends an entry in the caller's write transaction. */
  record(tx: Db, who: AuditSubject, entry: AuditEntry): Promise<void>;
  /** Queues an entry (reads, denials, failed logins) for the next batch. */
  recordRead(who: AuditSubject, entry: AuditEntry): void;
  flush(): Promise<void>;
  /** Indexes the trail by patient up to its end now (it otherwise runs on its own, shortly). */
  index(): Promise<void>;
  close(): Promise<void>;
}

export interface AccessClaims {
  sub: string;
  sid: string;
  org: string | null;
  role: Role;
  exp: number;
}

export interface TokenService {
  signAccess(claims: Omit<AccessClaims, "exp">): Promise<{ token: string; expiresIn: number }>;
  verifyAccess(token: string): Promise<AccessClaims>;
  newRefreshToken(): { token: string; hash: string };
}

/** What an API key presented on a request turned out to be (see middleware/auth.ts). */
export type ApiKeyResolution =
  | { ok: true; principal: Principal }
  /** `key` is known when the key exists but is revoked or expired (its organisation's trail). */
  | { ok: false; reason: "unknown" | "revoked" | "expired"; key?: { id: string; orgId: string } };

export interface PrincipalResolver {
  resolve(claims: AccessClaims): Promise<Principal>;
  /** The service identity of an API key (`ck_…`), read live so a revocation holds at once. */
  resolveApiKey(key: string): Promise<ApiKeyResolution>;
  forgetSession(sessionId: string): void;
  forgetUser(userId: string): void;
}

export interface DocumentStorage {
  /** Stores `bytes` under `key`, durably, replacing nothing (keys are unique). */
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** The file's content as a stream, or undefined when it is missing. */
  get(key: string): Promise<ReadableStream<Uint8Array> | undefined>;
  /** Removes the file (for cleaning up after a failed write; documents are deleted softly). */
  remove(key: string): Promise<void>;
  /**
   * Appends to a file being received in parts (a replica's upload, resumable) and answers its
   * size after; `size` answers how much has arrived (undefined: nothing yet).
   */
  append(key: string, bytes: Uint8Array): Promise<number>;
  size(key: string): Promise<number | undefined>;
  /** Moves a completely received file to its real key. */
  rename(from: string, to: string): Promise<void>;
}
