import { integer, text } from "drizzle-orm/sqlite-core";

/**
 * Columns every business row carries (CONTRIBUTING.md, "Conventions").
 * Timestamps are stored as ISO-8601 UTC text with milliseconds: they sort correctly as text,
 * read the same in any SQLite tool, and need no conversion on the way to JSON.
 */
export const businessColumns = () => ({
  id: text("id").primaryKey(),
  orgId: text("org_id").notNull(),
  createdAt: text("created_at").notNull(),
  updatedAt: text("updated_at").notNull(),
  createdBy: text("created_by"),
  updatedBy: text("updated_by"),
  version: integer("version").notNull().default(1),
  deletedAt: text("deleted_at"),
});
