CREATE TABLE `sync_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`node_id` text NOT NULL,
	`org_id` text NOT NULL,
	`site_code` text NOT NULL,
	`facility_ids` text NOT NULL,
	`schema_version` integer NOT NULL,
	`contacted_at` text NOT NULL
);
