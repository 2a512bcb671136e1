/**
 * Preparation cost arithmetic, in integer minor units. Work is priced per hour and counted in
 * minutes, so it is carried as "minor-unit minutes" (minutes × cost per hour) and divided by 60
 * only once, at the end: no float ever holds money.
 */

/** `n / d` rounded half up, for non-negative integers. */
export const divideHalfUp = (n: number, d: number) => Math.floor((2 * n + d) / (2 * d));

/** Minutes worked at a centre costing `costPerHour`, as minor-unit minutes. */
export const workMinuteUnits = (minutes: number, costPerHour: number) => minutes * costPerHour;

/** The work's cost in minor units, rounded half up. */
export const workCost = (minuteUnits: number) => divideHalfUp(minuteUnits, 60);

/**
 * Minor units per unit made: (ingredients + work) / output, rounded half up once over the exact
 * total (ingredients × 60 + work minute-units) / (60 × output).
 */
export const unitCostOf = (ingredients: number, minuteUnits: number, output: number) =>
  divideHalfUp(ingredients * 60 + minuteUnits, 60 * output);
