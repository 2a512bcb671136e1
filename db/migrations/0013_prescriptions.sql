CREATE TABLE `prescription_items` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`prescription_id` text NOT NULL,
	`position` integer NOT NULL,
	`medication` text NOT NULL,
	`generic_name` text NOT NULL,
	`dose` real NOT NULL,
	`unit` text NOT NULL,
	`route` text NOT NULL,
	`frequency` text NOT NULL,
	`duration_days` integer,
	`quantity` real NOT NULL,
	`instructions` text,
	FOREIGN KEY (`prescription_id`) REFERENCES `prescriptions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `prescription_items_prescription_idx` ON `prescription_items` (`prescription_id`,`position`);--> statement-breakpoint
CREATE TABLE `prescriptions` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`number` text NOT NULL,
	`encounter_id` text NOT NULL,
	`patient_id` text NOT NULL,
	`prescriber_id` text NOT NULL,
	`status` text NOT NULL,
	`issued_on` text NOT NULL,
	`valid_until` text NOT NULL,
	`notes` text,
	`acknowledgements` text NOT NULL,
	`cancelled_at` text,
	`cancel_reason` text,
	FOREIGN KEY (`encounter_id`) REFERENCES `encounters`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`prescriber_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `prescriptions_org_number_uq` ON `prescriptions` (`org_id`,`number`);--> statement-breakpoint
CREATE INDEX `prescriptions_patient_idx` ON `prescriptions` (`patient_id`,`status`);--> statement-breakpoint
CREATE INDEX `prescriptions_encounter_idx` ON `prescriptions` (`encounter_id`);