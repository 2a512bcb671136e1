/**
 * A session's device as people read it in their session list ("Firefox 128 on Android"), from
 * the user agent. ua-parser-js 1.x (MIT) rather than 2.x, which is AGPL.
 */
import { UAParser } from "ua-parser-js";

export function deviceName(userAgent: string | null | undefined): string | null {
  if (!userAgent) return null;
  const { browser, os } = new UAParser(userAgent).getResult();
  const app = browser.name ? [browser.name, browser.major].filter(Boolean).join(" ") : null;
  // Scripts and integrations name themselves in the first token ("curl/8.5.0").
  const name = app ?? userAgent.split(/[\s/]/)[0]?.slice(0, 40) ?? null;
  if (!name) return null;
  return os.name ? `${name} on ${os.name}` : name;
}
