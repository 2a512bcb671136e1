/** `deno task db:migrate`: applies pending migrations to the configured database and exits. */
import { migrate } from "../db/migrate.ts";
import { openDatabase } from "../db/client.ts";
import { loadConfig } from "../src/lib/config.ts";

const handle = openDatabase(loadConfig().database);
const n = await migrate(handle);
console.log(n === 0 ? "Database is up to date." : `Applied ${n} migration(s).`);
handle.close();
