ALTER TABLE `audit_events` ADD `patient_ids` text;--> statement-breakpoint
CREATE TABLE `audit_index_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`indexed_through` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `audit_patient_index` (
	`patient_id` text NOT NULL,
	`seq` integer NOT NULL,
	PRIMARY KEY(`patient_id`, `seq`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `audit_patient_index` (`patient_id`, `seq`)
	SELECT `patient_id`, `seq` FROM `audit_events` WHERE `patient_id` IS NOT NULL ORDER BY 1, 2;--> statement-breakpoint
INSERT INTO `audit_index_state` (`id`, `indexed_through`)
	SELECT 1, coalesce(max(`seq`), 0) FROM `audit_events`;--> statement-breakpoint
DROP INDEX `audit_patient_idx`;
