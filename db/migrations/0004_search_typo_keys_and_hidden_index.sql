CREATE TABLE `patient_name_variants` (
	`org_id` text NOT NULL,
	`variant` text NOT NULL,
	`term` text NOT NULL,
	PRIMARY KEY(`org_id`, `variant`, `term`)
);
--> statement-breakpoint
DROP INDEX `patient_name_terms_reversed_idx`;--> statement-breakpoint
ALTER TABLE `patient_name_terms` DROP COLUMN `reversed`;--> statement-breakpoint
ALTER TABLE `patient_name_terms` DROP COLUMN `length`;--> statement-breakpoint
CREATE INDEX `patients_org_hidden_idx` ON `patients` (`org_id`,`status`,`sex`,`birth_date`) WHERE "patients"."deleted_at" IS NOT NULL OR "patients"."merged_into" IS NOT NULL;