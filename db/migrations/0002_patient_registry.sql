CREATE TABLE `patient_allergies` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`patient_id` text NOT NULL,
	`substance` text NOT NULL,
	`category` text DEFAULT 'other' NOT NULL,
	`reaction` text,
	`severity` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`onset_date` text,
	`notes` text,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `patient_allergies_patient_idx` ON `patient_allergies` (`patient_id`,`deleted_at`);--> statement-breakpoint
CREATE TABLE `patient_documents` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`patient_id` text NOT NULL,
	`title` text NOT NULL,
	`category` text DEFAULT 'other' NOT NULL,
	`file_name` text NOT NULL,
	`media_type` text NOT NULL,
	`size_bytes` integer NOT NULL,
	`sha256` text NOT NULL,
	`storage_key` text NOT NULL,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `patient_documents_patient_idx` ON `patient_documents` (`patient_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `patient_history_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`patient_id` text NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`code` text,
	`status` text NOT NULL,
	`onset_date` text,
	`end_date` text,
	`dosage` text,
	`relation` text,
	`notes` text,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `patient_history_patient_idx` ON `patient_history_entries` (`patient_id`,`deleted_at`);--> statement-breakpoint
CREATE TABLE `patient_merges` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`survivor_id` text NOT NULL,
	`duplicate_id` text NOT NULL,
	`moved` text NOT NULL,
	`reason` text,
	`unmerged_at` text,
	`unmerged_by` text,
	FOREIGN KEY (`survivor_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`duplicate_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `patient_merges_survivor_idx` ON `patient_merges` (`org_id`,`survivor_id`);--> statement-breakpoint
CREATE INDEX `patient_merges_duplicate_idx` ON `patient_merges` (`org_id`,`duplicate_id`);--> statement-breakpoint
CREATE TABLE `patient_name_terms` (
	`org_id` text NOT NULL,
	`term` text NOT NULL,
	`patients` integer NOT NULL,
	PRIMARY KEY(`org_id`, `term`)
);
--> statement-breakpoint
CREATE TABLE `patient_name_variants` (
	`org_id` text NOT NULL,
	`variant` text NOT NULL,
	`term` text NOT NULL,
	PRIMARY KEY(`org_id`, `variant`, `term`)
);
--> statement-breakpoint
CREATE TABLE `patient_search_terms` (
	`org_id` text NOT NULL,
	`term` text NOT NULL,
	`patient_id` text NOT NULL,
	PRIMARY KEY(`org_id`, `term`, `patient_id`)
);
--> statement-breakpoint
CREATE TABLE `row_versions` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` text NOT NULL,
	`table_name` text NOT NULL,
	`row_id` text NOT NULL,
	`version` integer NOT NULL,
	`operation` text NOT NULL,
	`changed_at` text NOT NULL,
	`changed_by` text,
	`fields` text NOT NULL,
	`data` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `row_versions_row_uq` ON `row_versions` (`table_name`,`row_id`,`version`);--> statement-breakpoint
ALTER TABLE `organizations` ADD `mrn_prefix` text DEFAULT 'MRN' NOT NULL;--> statement-breakpoint
ALTER TABLE `organizations` ADD `mrn_digits` integer DEFAULT 6 NOT NULL;--> statement-breakpoint
ALTER TABLE `patients` ADD `middle_name` text;--> statement-breakpoint
ALTER TABLE `patients` ADD `birth_date_estimated` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `patients` ADD `other_phones` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `patients` ADD `identifiers` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `patients` ADD `address` text;--> statement-breakpoint
ALTER TABLE `patients` ADD `emergency_contacts` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `patients` ADD `insurance` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `patients` ADD `tags` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `patients` ADD `preferences` text;--> statement-breakpoint
ALTER TABLE `patients` ADD `status` text DEFAULT 'active' NOT NULL;--> statement-breakpoint
ALTER TABLE `patients` ADD `deceased_date` text;--> statement-breakpoint
ALTER TABLE `patients` ADD `last_visit_at` text;--> statement-breakpoint
ALTER TABLE `patients` ADD `merged_into` text;--> statement-breakpoint
ALTER TABLE `patients` ADD `merged_at` text;--> statement-breakpoint
CREATE INDEX `patients_org_birth_idx` ON `patients` (`org_id`,`birth_date`);--> statement-breakpoint
CREATE INDEX `patients_org_status_sex_idx` ON `patients` (`org_id`,`status`,`sex`,`birth_date`);--> statement-breakpoint
CREATE INDEX `patients_merged_into_idx` ON `patients` (`merged_into`);--> statement-breakpoint
CREATE INDEX `patients_org_hidden_idx` ON `patients` (`org_id`,`status`,`sex`,`birth_date`) WHERE "patients"."deleted_at" IS NOT NULL OR "patients"."merged_into" IS NOT NULL;