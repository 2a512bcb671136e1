import { uuidv7 } from "uuidv7";

/** Primary keys are UUIDv7: time-ordered, so inserts stay at the end of the B-tree. */
export const newId = (): string => uuidv7();
