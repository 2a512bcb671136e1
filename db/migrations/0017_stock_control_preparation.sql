CREATE TABLE `dispensing_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`prescription_id` text,
	`patient_id` text,
	`store_id` text NOT NULL,
	`status` text NOT NULL,
	`lines` text NOT NULL,
	`dispensation_id` text,
	FOREIGN KEY (`prescription_id`) REFERENCES `prescriptions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`store_id`) REFERENCES `stores`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `dispensing_sessions_org_status_idx` ON `dispensing_sessions` (`org_id`,`status`,`created_by`);--> statement-breakpoint
CREATE TABLE `finding_rule_settings` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`rule` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`thresholds` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `finding_rule_settings_org_rule_uq` ON `finding_rule_settings` (`org_id`,`rule`);--> statement-breakpoint
CREATE TABLE `formula_ingredients` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`formula_id` text NOT NULL,
	`medication_id` text NOT NULL,
	`quantity` integer NOT NULL,
	FOREIGN KEY (`formula_id`) REFERENCES `formulas`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`medication_id`) REFERENCES `medications`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `formula_ingredients_formula_idx` ON `formula_ingredients` (`formula_id`);--> statement-breakpoint
CREATE TABLE `formula_steps` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`formula_id` text NOT NULL,
	`position` integer NOT NULL,
	`name` text NOT NULL,
	`work_centre_id` text NOT NULL,
	`planned_minutes` integer NOT NULL,
	FOREIGN KEY (`formula_id`) REFERENCES `formulas`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`work_centre_id`) REFERENCES `work_centres`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `formula_steps_formula_idx` ON `formula_steps` (`formula_id`,`position`);--> statement-breakpoint
CREATE TABLE `formulas` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`name` text NOT NULL,
	`product_id` text NOT NULL,
	`batch_size` integer NOT NULL,
	`shelf_life_days` integer NOT NULL,
	`instructions` text,
	`active` integer DEFAULT true NOT NULL,
	FOREIGN KEY (`product_id`) REFERENCES `medications`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `formulas_org_product_idx` ON `formulas` (`org_id`,`product_id`);--> statement-breakpoint
CREATE TABLE `preparation_orders` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`number` text NOT NULL,
	`formula_id` text NOT NULL,
	`store_id` text NOT NULL,
	`batches` integer NOT NULL,
	`status` text NOT NULL,
	`reserved` text,
	`output_batch_id` text,
	`output_quantity` integer,
	`unit_cost` integer,
	`confirmed_at` text,
	`done_at` text,
	`cancel_reason` text,
	FOREIGN KEY (`formula_id`) REFERENCES `formulas`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`store_id`) REFERENCES `stores`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`output_batch_id`) REFERENCES `stock_batches`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `preparation_orders_org_number_uq` ON `preparation_orders` (`org_id`,`number`);--> statement-breakpoint
CREATE INDEX `preparation_orders_org_status_idx` ON `preparation_orders` (`org_id`,`status`);--> statement-breakpoint
CREATE TABLE `preparation_steps` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`order_id` text NOT NULL,
	`position` integer NOT NULL,
	`name` text NOT NULL,
	`work_centre_id` text NOT NULL,
	`planned_minutes` integer NOT NULL,
	`assignee_id` text,
	`status` text NOT NULL,
	`started_at` text,
	`started_by` text,
	`finished_at` text,
	`finished_by` text,
	`actual_minutes` integer,
	FOREIGN KEY (`order_id`) REFERENCES `preparation_orders`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`work_centre_id`) REFERENCES `work_centres`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`assignee_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `preparation_steps_order_idx` ON `preparation_steps` (`order_id`,`position`);--> statement-breakpoint
CREATE INDEX `preparation_steps_assignee_idx` ON `preparation_steps` (`org_id`,`assignee_id`,`status`);--> statement-breakpoint
CREATE TABLE `stock_count_lines` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`count_id` text NOT NULL,
	`batch_id` text NOT NULL,
	`medication_id` text NOT NULL,
	`frozen_quantity` integer NOT NULL,
	`counted_quantity` integer,
	`counted_by` text,
	`counted_at` text,
	`variance` integer,
	`scanned_code` text,
	FOREIGN KEY (`count_id`) REFERENCES `stock_counts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`batch_id`) REFERENCES `stock_batches`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`medication_id`) REFERENCES `medications`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`counted_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `stock_count_lines_count_batch_uq` ON `stock_count_lines` (`count_id`,`batch_id`);--> statement-breakpoint
CREATE TABLE `stock_counts` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`number` text NOT NULL,
	`store_id` text NOT NULL,
	`status` text NOT NULL,
	`frozen_at` text NOT NULL,
	`submitted_at` text,
	`posted_at` text,
	`approved_by` text,
	`approved_at` text,
	`notes` text,
	FOREIGN KEY (`store_id`) REFERENCES `stores`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`approved_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `stock_counts_org_number_uq` ON `stock_counts` (`org_id`,`number`);--> statement-breakpoint
CREATE INDEX `stock_counts_store_idx` ON `stock_counts` (`org_id`,`store_id`,`status`);--> statement-breakpoint
CREATE TABLE `stock_findings` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`rule` text NOT NULL,
	`key` text NOT NULL,
	`status` text NOT NULL,
	`explanation` text NOT NULL,
	`values` text NOT NULL,
	`evidence` text NOT NULL,
	`subject_user_id` text,
	`medication_id` text,
	`store_id` text,
	`detected_at` text NOT NULL,
	`review_note` text,
	`reviewed_by` text,
	`reviewed_at` text
);
--> statement-breakpoint
CREATE INDEX `stock_findings_org_status_idx` ON `stock_findings` (`org_id`,`status`,`detected_at`);--> statement-breakpoint
CREATE INDEX `stock_findings_org_rule_idx` ON `stock_findings` (`org_id`,`rule`,`key`);--> statement-breakpoint
CREATE TABLE `work_centres` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`name` text NOT NULL,
	`cost_per_hour` integer NOT NULL,
	`active` integer DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE INDEX `work_centres_org_idx` ON `work_centres` (`org_id`,`name`);--> statement-breakpoint
ALTER TABLE `prescription_items` ADD `medication_id` text;--> statement-breakpoint
CREATE INDEX `prescriptions_org_status_idx` ON `prescriptions` (`org_id`,`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `stock_movements_type_idx` ON `stock_movements` (`org_id`,`type`,`at`);