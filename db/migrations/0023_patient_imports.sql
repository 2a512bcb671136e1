CREATE TABLE `patient_import_rows` (
	`import_id` text NOT NULL,
	`patient_id` text NOT NULL,
	PRIMARY KEY(`import_id`, `patient_id`),
	FOREIGN KEY (`import_id`) REFERENCES `patient_imports`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `patient_imports` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`started_at` text NOT NULL,
	`started_by` text,
	`mode` text NOT NULL,
	`status` text NOT NULL,
	`rows` integer NOT NULL,
	`claimed_until` text NOT NULL,
	`finished_at` text
);
