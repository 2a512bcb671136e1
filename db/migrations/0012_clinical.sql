CREATE TABLE `clinical_notes` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`encounter_id` text NOT NULL,
	`patient_id` text NOT NULL,
	`author_id` text NOT NULL,
	`status` text NOT NULL,
	`reason` text,
	`history` text,
	`symptoms` text NOT NULL,
	`examination` text,
	`assessment` text,
	`plan` text,
	`follow_up_date` text,
	`diagnoses` text NOT NULL,
	`signed_at` text,
	`signed_by` text,
	`amendment_reason` text,
	FOREIGN KEY (`encounter_id`) REFERENCES `encounters`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `clinical_notes_encounter_idx` ON `clinical_notes` (`encounter_id`);--> statement-breakpoint
CREATE INDEX `clinical_notes_patient_idx` ON `clinical_notes` (`patient_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `vital_observations` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`encounter_id` text NOT NULL,
	`patient_id` text NOT NULL,
	`code` text NOT NULL,
	`value` real NOT NULL,
	`unit` text NOT NULL,
	`entered_value` real,
	`entered_unit` text,
	`flag` text NOT NULL,
	`derived` integer DEFAULT false NOT NULL,
	`recorded_at` text NOT NULL,
	FOREIGN KEY (`encounter_id`) REFERENCES `encounters`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `vital_observations_patient_idx` ON `vital_observations` (`patient_id`,`code`,`recorded_at`);--> statement-breakpoint
CREATE INDEX `vital_observations_encounter_idx` ON `vital_observations` (`encounter_id`);