CREATE TABLE `cash_ups` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`facility_id` text,
	`cashier_id` text NOT NULL,
	`local_date` text NOT NULL,
	`expected` text NOT NULL,
	`counted_cash` integer NOT NULL,
	`expenses` integer DEFAULT 0 NOT NULL,
	`variance` integer NOT NULL,
	`currency` text NOT NULL,
	`status` text NOT NULL,
	`signed_off_by` text,
	`signed_off_at` text,
	`sign_off_note` text,
	`closed_at` text NOT NULL,
	FOREIGN KEY (`cashier_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cash_ups_cashier_day_uq` ON `cash_ups` (`org_id`,`facility_id`,`cashier_id`,`local_date`);--> statement-breakpoint
CREATE TABLE `credit_notes` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`number` text NOT NULL,
	`invoice_id` text NOT NULL,
	`patient_id` text,
	`amount` integer NOT NULL,
	`reason` text NOT NULL,
	`lines` text NOT NULL,
	FOREIGN KEY (`invoice_id`) REFERENCES `invoices`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `credit_notes_org_number_uq` ON `credit_notes` (`org_id`,`number`);--> statement-breakpoint
CREATE INDEX `credit_notes_invoice_idx` ON `credit_notes` (`invoice_id`);--> statement-breakpoint
CREATE TABLE `expenses` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`facility_id` text,
	`cashier_id` text NOT NULL,
	`local_date` text NOT NULL,
	`category` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`description` text NOT NULL,
	`receipt_reference` text,
	`at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `expenses_close_idx` ON `expenses` (`org_id`,`cashier_id`,`local_date`);--> statement-breakpoint
CREATE TABLE `insurance_claim_lines` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`claim_id` text NOT NULL,
	`invoice_id` text NOT NULL,
	`invoice_line_id` text,
	`patient_id` text,
	`member_number` text,
	`claimed` integer NOT NULL,
	`approved` integer,
	FOREIGN KEY (`claim_id`) REFERENCES `insurance_claims`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`invoice_id`) REFERENCES `invoices`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`invoice_line_id`) REFERENCES `invoice_lines`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `insurance_claim_lines_claim_idx` ON `insurance_claim_lines` (`claim_id`);--> statement-breakpoint
CREATE INDEX `insurance_claim_lines_invoice_idx` ON `insurance_claim_lines` (`invoice_id`);--> statement-breakpoint
CREATE TABLE `insurance_claims` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`number` text NOT NULL,
	`provider` text NOT NULL,
	`scheme` text,
	`period_from` text,
	`period_to` text,
	`encounter_id` text,
	`status` text NOT NULL,
	`claimed` integer NOT NULL,
	`approved` integer,
	`paid_amount` integer,
	`currency` text NOT NULL,
	`submitted_at` text,
	`decided_at` text,
	`paid_at` text,
	`notes` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `insurance_claims_org_number_uq` ON `insurance_claims` (`org_id`,`number`);--> statement-breakpoint
CREATE INDEX `insurance_claims_org_status_idx` ON `insurance_claims` (`org_id`,`provider`,`status`);--> statement-breakpoint
CREATE TABLE `invoice_lines` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`invoice_id` text NOT NULL,
	`source_type` text NOT NULL,
	`source_id` text,
	`price_item_id` text,
	`code` text,
	`description` text NOT NULL,
	`quantity` integer NOT NULL,
	`unit_amount` integer NOT NULL,
	`discount` integer DEFAULT 0 NOT NULL,
	`discount_reason` text,
	`discount_by` text,
	`amount` integer NOT NULL,
	`covered_amount` integer DEFAULT 0 NOT NULL,
	`waived_reason` text,
	`waived_by` text,
	`reverses_line_id` text,
	`practitioner_id` text,
	FOREIGN KEY (`invoice_id`) REFERENCES `invoices`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `invoice_lines_invoice_idx` ON `invoice_lines` (`invoice_id`);--> statement-breakpoint
CREATE INDEX `invoice_lines_source_idx` ON `invoice_lines` (`org_id`,`source_type`,`source_id`);--> statement-breakpoint
CREATE TABLE `invoices` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`number` text NOT NULL,
	`kind` text NOT NULL,
	`patient_id` text,
	`encounter_id` text,
	`facility_id` text,
	`status` text NOT NULL,
	`currency` text NOT NULL,
	`subtotal` integer DEFAULT 0 NOT NULL,
	`discount` integer DEFAULT 0 NOT NULL,
	`discount_reason` text,
	`discount_by` text,
	`total` integer DEFAULT 0 NOT NULL,
	`covered` integer DEFAULT 0 NOT NULL,
	`paid` integer DEFAULT 0 NOT NULL,
	`insurance` text,
	`issued_at` text,
	`issued_on` text,
	`voided_at` text,
	`void_reason` text,
	`notes` text,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`facility_id`) REFERENCES `facilities`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invoices_org_number_uq` ON `invoices` (`org_id`,`number`);--> statement-breakpoint
CREATE INDEX `invoices_org_status_idx` ON `invoices` (`org_id`,`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `invoices_org_owed_idx` ON `invoices` (`org_id`,`status`,`deleted_at`,`total`,`paid`);--> statement-breakpoint
CREATE INDEX `invoices_patient_idx` ON `invoices` (`patient_id`,`status`);--> statement-breakpoint
CREATE INDEX `invoices_encounter_idx` ON `invoices` (`encounter_id`,`status`);--> statement-breakpoint
CREATE INDEX `invoices_org_issued_idx` ON `invoices` (`org_id`,`issued_on`);--> statement-breakpoint
CREATE TABLE `patient_credits` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`patient_id` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`payment_id` text,
	`invoice_id` text,
	`reason` text,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `patient_credits_patient_idx` ON `patient_credits` (`org_id`,`patient_id`);--> statement-breakpoint
CREATE TABLE `payments` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`receipt_number` text NOT NULL,
	`invoice_id` text,
	`patient_id` text,
	`method` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`provider` text,
	`reference` text,
	`cashier_id` text NOT NULL,
	`facility_id` text,
	`at` text NOT NULL,
	`local_date` text NOT NULL,
	`refund_id` text,
	`reverses_payment_id` text,
	`to_credit` integer DEFAULT 0 NOT NULL,
	`notes` text,
	FOREIGN KEY (`invoice_id`) REFERENCES `invoices`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `payments_org_receipt_uq` ON `payments` (`org_id`,`receipt_number`);--> statement-breakpoint
CREATE INDEX `payments_invoice_idx` ON `payments` (`invoice_id`);--> statement-breakpoint
CREATE INDEX `payments_org_reference_idx` ON `payments` (`org_id`,`provider`,`reference`);--> statement-breakpoint
CREATE INDEX `payments_close_idx` ON `payments` (`org_id`,`cashier_id`,`local_date`);--> statement-breakpoint
CREATE INDEX `payments_org_day_idx` ON `payments` (`org_id`,`local_date`,`method`,`amount`);--> statement-breakpoint
CREATE TABLE `price_items` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`code` text NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`payer` text,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`valid_from` text NOT NULL,
	`valid_until` text,
	`encounter_type` text,
	`medication_id` text,
	`active` integer DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE INDEX `price_items_org_code_idx` ON `price_items` (`org_id`,`code`,`payer`,`valid_from`);--> statement-breakpoint
CREATE INDEX `price_items_org_kind_idx` ON `price_items` (`org_id`,`kind`,`encounter_type`);--> statement-breakpoint
CREATE INDEX `price_items_org_medication_idx` ON `price_items` (`org_id`,`medication_id`);--> statement-breakpoint
CREATE TABLE `refunds` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text,
	`updated_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`deleted_at` text,
	`payment_id` text NOT NULL,
	`invoice_id` text,
	`patient_id` text,
	`amount` integer NOT NULL,
	`reason` text NOT NULL,
	`status` text NOT NULL,
	`requested_by` text NOT NULL,
	`decided_by` text,
	`decided_at` text,
	`decision_note` text,
	`refund_payment_id` text,
	FOREIGN KEY (`payment_id`) REFERENCES `payments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `refunds_org_status_idx` ON `refunds` (`org_id`,`status`);