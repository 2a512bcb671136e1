/**
 * The money model of billing: every amount is integer minor units of one currency. Nothing here
 * uses floating point for a result, so a figure printed on an invoice and a figure summed in a
 * report agree to the last unit.
 */

/** ISO 4217 minor-unit exponents that differ from the common 2, plus the ones we see most. */
const EXPONENTS: Record<string, number> = {
  KES: 2,
  TZS: 2,
  USD: 2,
  EUR: 2,
  GBP: 2,
  ZAR: 2,
  NGN: 2,
  GHS: 2,
  ETB: 2,
  UGX: 0,
  RWF: 0,
  BIF: 0,
  XOF: 0,
  XAF: 0,
  JPY: 0,
  KRW: 0,
  BHD: 3,
  KWD: 3,
  OMR: 3,
  JOD: 3,
  TND: 3,
  LYD: 3,
  IQD: 3,
};

/** How many decimal places the currency's minor unit has (2 unless ISO 4217 says otherwise). */
export function exponentOf(currency: string): number {
  return EXPONENTS[currency.toUpperCase()] ?? 2;
}

/**
 * The insurer's share of an amount: rounded down, so the patient is never asked for less than
 * the policy leaves them and the insurer never billed a fraction more than it covers.
 */
export function coveredShare(amount: number, percent: number): number {
  if (percent <= 0) return 0;
  if (percent >= 100) return amount;
  return Math.floor(amount * percent / 100);
}

/**
 * The one rounding rule for anything divided: numerator / denominator rounded half up (away
 * from zero for negatives), in integer arithmetic.
 */
export function divideHalfUp(numerator: number, denominator: number): number {
  if (denominator === 0) throw new RangeError("division by zero");
  const sign = Math.sign(numerator) * Math.sign(denominator);
  const n = Math.abs(numerator);
  const d = Math.abs(denominator);
  const q = Math.floor(n / d);
  const r = n - q * d;
  return sign * (2 * r >= d ? q + 1 : q);
}

/** A percentage of an amount, half up: a 12.5% discount of 999 is 125. */
export function percentOf(amount: number, percent: number): number {
  // Percent may carry up to two decimals (12.5%); scale to integers before dividing.
  const scaled = Math.round(percent * 100);
  return divideHalfUp(amount * scaled, 10_000);
}

/** Minor units as a decimal string for people and PDFs: 150050 KES → "1,500.50". */
export function formatMoney(amount: number, currency: string): string {
  const exp = exponentOf(currency);
  const sign = amount < 0 ? "-" : "";
  const abs = Math.abs(amount);
  const unit = 10 ** exp;
  const whole = Math.floor(abs / unit).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const frac = exp > 0 ? "." + String(abs % unit).padStart(exp, "0") : "";
  return `${sign}${whole}${frac}`;
}

/** True for a whole number of minor units within the safe-integer range. */
export function isMinorUnits(n: unknown): n is number {
  return typeof n === "number" && Number.isSafeInteger(n);
}
