CREATE TABLE `appointment_confirmations` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`appointment_id` text NOT NULL,
	`patient_id` text NOT NULL,
	`method` text NOT NULL,
	`outcome` text NOT NULL,
	`notes` text,
	`operator_id` text,
	`at` text NOT NULL,
	FOREIGN KEY (`appointment_id`) REFERENCES `appointments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `appointment_confirmations_appointment_idx` ON `appointment_confirmations` (`appointment_id`);--> statement-breakpoint
CREATE INDEX `appointment_confirmations_patient_idx` ON `appointment_confirmations` (`patient_id`);--> statement-breakpoint
CREATE TABLE `appointments` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`patient_id` text NOT NULL,
	`practitioner_id` text NOT NULL,
	`facility_id` text,
	`start_at` text NOT NULL,
	`end_at` text NOT NULL,
	`duration_minutes` integer NOT NULL,
	`type` text NOT NULL,
	`status` text NOT NULL,
	`reason` text,
	`override` integer DEFAULT false NOT NULL,
	`reschedule_count` integer DEFAULT 0 NOT NULL,
	`confirmed_at` text,
	`checked_in_at` text,
	`started_at` text,
	`completed_at` text,
	`cancelled_at` text,
	`cancel_reason` text,
	`no_show_at` text,
	`encounter_id` text,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`practitioner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`facility_id`) REFERENCES `facilities`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `appointments_practitioner_time_idx` ON `appointments` (`org_id`,`practitioner_id`,`end_at`);--> statement-breakpoint
CREATE INDEX `appointments_patient_idx` ON `appointments` (`patient_id`,`start_at`);--> statement-breakpoint
CREATE INDEX `appointments_org_start_idx` ON `appointments` (`org_id`,`start_at`);--> statement-breakpoint
CREATE TABLE `calendar_feeds` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`user_id` text NOT NULL,
	`token_hash` text NOT NULL,
	`revoked_at` text,
	`last_used_at` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `calendar_feeds_token_uq` ON `calendar_feeds` (`token_hash`);--> statement-breakpoint
CREATE INDEX `calendar_feeds_user_idx` ON `calendar_feeds` (`org_id`,`user_id`);--> statement-breakpoint
CREATE TABLE `encounters` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`patient_id` text NOT NULL,
	`practitioner_id` text,
	`facility_id` text,
	`appointment_id` text,
	`type` text NOT NULL,
	`priority` text NOT NULL,
	`status` text NOT NULL,
	`arrived_at` text NOT NULL,
	`local_day` text NOT NULL,
	`started_at` text,
	`closed_at` text,
	`cancel_reason` text,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`practitioner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`facility_id`) REFERENCES `facilities`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `encounters_patient_idx` ON `encounters` (`patient_id`,`status`);--> statement-breakpoint
CREATE INDEX `encounters_queue_idx` ON `encounters` (`org_id`,`status`,`facility_id`);--> statement-breakpoint
CREATE INDEX `encounters_org_day_idx` ON `encounters` (`org_id`,`local_day`);--> statement-breakpoint
CREATE TABLE `practitioner_schedules` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`practitioner_id` text NOT NULL,
	`facility_id` text,
	`weekday` integer NOT NULL,
	`start_time` text NOT NULL,
	`end_time` text NOT NULL,
	`slot_minutes` integer NOT NULL,
	`appointment_types` text NOT NULL,
	`valid_from` text,
	`valid_to` text,
	`active` integer DEFAULT true NOT NULL,
	FOREIGN KEY (`practitioner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`facility_id`) REFERENCES `facilities`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `practitioner_schedules_practitioner_idx` ON `practitioner_schedules` (`org_id`,`practitioner_id`);--> statement-breakpoint
CREATE TABLE `schedule_exceptions` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`practitioner_id` text,
	`facility_id` text,
	`kind` text NOT NULL,
	`date_from` text NOT NULL,
	`date_to` text NOT NULL,
	`start_time` text,
	`end_time` text,
	`slot_minutes` integer,
	`appointment_types` text,
	`reason` text,
	FOREIGN KEY (`practitioner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`facility_id`) REFERENCES `facilities`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `schedule_exceptions_org_dates_idx` ON `schedule_exceptions` (`org_id`,`date_to`,`date_from`);