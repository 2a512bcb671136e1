CREATE INDEX `patient_allergies_org_active_idx` ON `patient_allergies` (`org_id`,`patient_id`) WHERE "patient_allergies"."status" = 'active' AND "patient_allergies"."deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `patients_org_last_visit_idx` ON `patients` (`org_id`,`last_visit_at`);--> statement-breakpoint
INSERT OR IGNORE INTO `patient_search_terms` (`org_id`, `term`, `patient_id`)
SELECT p.`org_id`, 'g:' || j.`value`, p.`id` FROM `patients` p, json_each(p.`tags`) j
WHERE p.`deleted_at` IS NULL AND p.`merged_into` IS NULL AND j.`type` = 'text';
