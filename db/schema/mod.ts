export * from "./identity.ts";
export * from "./patients.ts";
export * from "./platform.ts";
export * from "./sync.ts";
export * from "./scheduling.ts";
export * from "./notifications.ts";
export * from "./clinical.ts";
export * from "./pharmacy.ts";
