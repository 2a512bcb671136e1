/** Keeps the patient search index in step with every patient write. (Stub: search work fills it.) */
export {};
