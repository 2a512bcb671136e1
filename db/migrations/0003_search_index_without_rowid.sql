-- The search index tables are looked up only by their primary key, so they are stored as that
-- key (WITHOUT ROWID): one B-tree instead of a table plus an index of the same columns, about
-- half the size at a million patients. drizzle-kit cannot express WITHOUT ROWID, hence this
-- custom migration; both tables are empty here (created by 0002), and are derived data.
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
	`reversed` text NOT NULL,
	`length` integer NOT NULL,
	`patients` integer NOT NULL,
	PRIMARY KEY(`org_id`, `term`)
) WITHOUT ROWID;--> statement-breakpoint
CREATE INDEX `patient_name_terms_reversed_idx` ON `patient_name_terms` (`org_id`,`reversed`);
