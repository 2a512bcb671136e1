import { uuidv7 } from "uuidv7";

/** Primary keys are UUIDv7: time-ordered, so inserts stay at the end of the B-tree. */
export const newId = (): string => uuidv7();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string) => UUID.test(s);
