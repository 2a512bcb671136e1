CREATE TABLE `clinical_templates` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`owner_id` text,
	`content` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `clinical_templates_org_kind_idx` ON `clinical_templates` (`org_id`,`kind`,`owner_id`);--> statement-breakpoint
ALTER TABLE `clinical_notes` ADD `practice` text;--> statement-breakpoint
ALTER TABLE `clinical_notes` ADD `template_id` text;--> statement-breakpoint
ALTER TABLE `prescription_items` ADD `practice` text;