-- The search index tables are read only by their primary key, so they are stored as that key
-- (WITHOUT ROWID): one B-tree instead of a table plus an index of the same columns, about half
-- the size at a million patients. drizzle-kit cannot express WITHOUT ROWID, hence this custom
-- migration. The tables were created empty by 0002 and hold derived data only (rebuilt by
-- rebuildSearchIndex), so they are recreated rather than copied.
DROP TABLE `patient_search_terms`;--> statement-breakpoint
CREATE TABLE `patient_search_terms` (
	`org_id` text NOT NULL,
	`term` text NOT NULL,
	`patient_id` text NOT NULL,
	PRIMARY KEY(`org_id`, `term`, `patient_id`)
) WITHOUT ROWID;--> statement-breakpoint
DROP TABLE `patient_name_terms`;--> statement-breakpoint
CREATE TABLE `patient_name_terms` (
	`org_id` text NOT NULL,
	`term` text NOT NULL,
	`patients` integer NOT NULL,
	PRIMARY KEY(`org_id`, `term`)
) WITHOUT ROWID;--> statement-breakpoint
DROP TABLE `patient_name_variants`;--> statement-breakpoint
CREATE TABLE `patient_name_variants` (
	`org_id` text NOT NULL,
	`variant` text NOT NULL,
	`term` text NOT NULL,
	PRIMARY KEY(`org_id`, `variant`, `term`)
) WITHOUT ROWID;
