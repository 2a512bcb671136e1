/**
 * A timezone whose date differs from UTC's right now (UTC+14 from 10:00 UTC, else UTC-11), with
 * both dates and the day that is in the future for a clinic there, whichever way round they are:
 * for tests that a "today" is the clinic's, not UTC's.
 */
export function clinicDayApartFromUtc(now = new Date()) {
  const ahead = now.getUTCHours() >= 10;
  const timezone = ahead ? "Pacific/Kiritimati" : "Pacific/Pago_Pago";
  const localToday = new Intl.DateTimeFormat("en-CA", { timeZone: timezone }).format(now);
  const utcToday = now.toISOString().slice(0, 10);
  const tomorrowThere = ahead
    ? new Date(Date.parse(localToday) + 86400e3).toISOString().slice(0, 10)
    : utcToday;
  return { timezone, localToday, utcToday, tomorrowThere };
}
