CREATE TABLE `sync_nodes` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`name` text NOT NULL,
	`site_code` text NOT NULL,
	`facility_ids` text NOT NULL,
	`token_hash` text NOT NULL,
	`revoked_at` text,
	`last_seen_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sync_nodes_org_site_uq` ON `sync_nodes` (`org_id`,`site_code`);--> statement-breakpoint
CREATE UNIQUE INDEX `sync_nodes_token_uq` ON `sync_nodes` (`token_hash`);--> statement-breakpoint
CREATE INDEX `sync_nodes_org_idx` ON `sync_nodes` (`org_id`);