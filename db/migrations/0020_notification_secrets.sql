CREATE TABLE `notification_secrets` (
	`notification_id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`body` text NOT NULL,
	`created_at` text NOT NULL
);
