ALTER TABLE `change_log` ADD `hlc` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `change_log` ADD `fields` text;