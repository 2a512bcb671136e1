CREATE TABLE `sync_conflicts` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`kind` text NOT NULL,
	`table_name` text NOT NULL,
	`row_id` text NOT NULL,
	`patient_id` text,
	`field` text,
	`kept_value` text,
	`other_value` text,
	`kept_clock` text,
	`other_clock` text,
	`other_origin` text NOT NULL,
	`change` text,
	`error` text,
	`status` text DEFAULT 'open' NOT NULL,
	`resolution` text,
	`resolved_at` text,
	`resolved_by` text
);
--> statement-breakpoint
CREATE INDEX `sync_conflicts_org_status_idx` ON `sync_conflicts` (`org_id`,`status`);--> statement-breakpoint
ALTER TABLE `audit_events` ADD `site` text;--> statement-breakpoint
ALTER TABLE `change_log` ADD `values` text;--> statement-breakpoint
ALTER TABLE `change_log` ADD `actor_id` text;--> statement-breakpoint
CREATE INDEX `change_log_row_idx` ON `change_log` (`table_name`,`row_id`);--> statement-breakpoint
ALTER TABLE `sync_nodes` ADD `pushed_seq` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `sync_nodes` ADD `audit_seq` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `sync_nodes` ADD `pulled_seq` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `sync_nodes` ADD `last_push_at` text;--> statement-breakpoint
ALTER TABLE `sync_nodes` ADD `last_pull_at` text;--> statement-breakpoint
ALTER TABLE `sync_state` ADD `pushed_seq` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `sync_state` ADD `audit_seq` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `sync_state` ADD `pulled_seq` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `sync_state` ADD `last_push_at` text;--> statement-breakpoint
ALTER TABLE `sync_state` ADD `last_pull_at` text;--> statement-breakpoint
ALTER TABLE `sync_state` ADD `last_error` text;