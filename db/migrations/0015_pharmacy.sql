CREATE TABLE `dispensation_items` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`dispensation_id` text NOT NULL,
	`prescription_item_id` text,
	`medication_id` text NOT NULL,
	`batch_id` text NOT NULL,
	`quantity` integer NOT NULL,
	`unit_price` integer NOT NULL,
	`substitution_reason` text,
	FOREIGN KEY (`dispensation_id`) REFERENCES `dispensations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`prescription_item_id`) REFERENCES `prescription_items`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`medication_id`) REFERENCES `medications`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`batch_id`) REFERENCES `stock_batches`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `dispensation_items_dispensation_idx` ON `dispensation_items` (`dispensation_id`);--> statement-breakpoint
CREATE TABLE `dispensations` (
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
	`override_reason` text,
	`total` integer NOT NULL,
	`currency` text NOT NULL,
	`at` text NOT NULL,
	FOREIGN KEY (`prescription_id`) REFERENCES `prescriptions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`store_id`) REFERENCES `stores`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `dispensations_prescription_idx` ON `dispensations` (`prescription_id`);--> statement-breakpoint
CREATE INDEX `dispensations_patient_idx` ON `dispensations` (`patient_id`);--> statement-breakpoint
CREATE TABLE `medication_codes` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`medication_id` text NOT NULL,
	`code` text NOT NULL,
	`kind` text NOT NULL,
	FOREIGN KEY (`medication_id`) REFERENCES `medications`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `medication_codes_org_code_uq` ON `medication_codes` (`org_id`,`code`);--> statement-breakpoint
CREATE INDEX `medication_codes_medication_idx` ON `medication_codes` (`medication_id`);--> statement-breakpoint
CREATE TABLE `medications` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`name` text NOT NULL,
	`generic_name` text NOT NULL,
	`form` text NOT NULL,
	`strength` text,
	`category` text,
	`practice` text,
	`prescription_required` integer NOT NULL,
	`reorder_level` integer NOT NULL,
	`unit` text NOT NULL,
	`pack_size` integer,
	`unit_price` integer NOT NULL,
	`active` integer DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE INDEX `medications_org_generic_idx` ON `medications` (`org_id`,`generic_name`);--> statement-breakpoint
CREATE INDEX `medications_org_name_idx` ON `medications` (`org_id`,`name`);--> statement-breakpoint
CREATE TABLE `stock_balances` (
	`batch_id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`medication_id` text NOT NULL,
	`store_id` text NOT NULL,
	`quantity` integer NOT NULL,
	FOREIGN KEY (`batch_id`) REFERENCES `stock_batches`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `stock_balances_medication_idx` ON `stock_balances` (`org_id`,`medication_id`);--> statement-breakpoint
CREATE TABLE `stock_batches` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`medication_id` text NOT NULL,
	`store_id` text NOT NULL,
	`batch_number` text NOT NULL,
	`expiry_date` text NOT NULL,
	`unit_cost` integer NOT NULL,
	`supplier_id` text,
	FOREIGN KEY (`medication_id`) REFERENCES `medications`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`store_id`) REFERENCES `stores`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `stock_batches_uq` ON `stock_batches` (`org_id`,`store_id`,`medication_id`,`batch_number`);--> statement-breakpoint
CREATE INDEX `stock_batches_medication_idx` ON `stock_batches` (`org_id`,`medication_id`,`expiry_date`);--> statement-breakpoint
CREATE TABLE `stock_movements` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`medication_id` text NOT NULL,
	`batch_id` text NOT NULL,
	`store_id` text NOT NULL,
	`type` text NOT NULL,
	`quantity` integer NOT NULL,
	`quantity_before` integer NOT NULL,
	`quantity_after` integer NOT NULL,
	`actor_id` text,
	`reason` text,
	`scanned_code` text,
	`document_type` text,
	`document_id` text,
	`patient_id` text,
	`at` text NOT NULL,
	FOREIGN KEY (`medication_id`) REFERENCES `medications`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`batch_id`) REFERENCES `stock_batches`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`store_id`) REFERENCES `stores`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `stock_movements_medication_idx` ON `stock_movements` (`org_id`,`medication_id`,`at`);--> statement-breakpoint
CREATE INDEX `stock_movements_batch_idx` ON `stock_movements` (`batch_id`,`at`);--> statement-breakpoint
CREATE INDEX `stock_movements_actor_idx` ON `stock_movements` (`org_id`,`actor_id`,`at`);--> statement-breakpoint
CREATE TABLE `stores` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`facility_id` text,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`opening_hours` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	FOREIGN KEY (`facility_id`) REFERENCES `facilities`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `stores_org_idx` ON `stores` (`org_id`,`facility_id`);