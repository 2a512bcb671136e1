/**
 * Where document files live. Behind an interface so that S3-compatible storage can follow; the
 * default keeps files under the data folder. Keys are built by the server from ids only
 * (`<orgId>/<documentId>`), never from anything a client sent.
 */
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { Readable } from "node:stream";
import type { DocumentStorage } from "../../lib/services.ts";

const SAFE_KEY = /^[A-Za-z0-9-]+(\/[A-Za-z0-9-]+)*$/;

export function createFileStorage(root: string): DocumentStorage {
  const base = resolve(root);
  const pathOf = (key: string) => {
    // Defence in depth: keys are server-made, but a path must never leave the root.
    if (!SAFE_KEY.test(key)) throw new Error(`unsafe storage key: ${key}`);
    const path = resolve(base, key);
    if (!path.startsWith(base + sep)) throw new Error(`unsafe storage key: ${key}`);
    return path;
  };
  return {
    async put(key, bytes) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      // Written to a temporary name, flushed, then renamed: a crash never leaves half a file
      // under the real key.
      const tmp = join(dirname(path), `.${crypto.randomUUID()}.part`);
      const fh = await open(tmp, "wx", 0o600);
      try {
        try {
          await fh.writeFile(bytes);
          await fh.sync();
        } finally {
          await fh.close();
        }
        await rename(tmp, path);
      } catch (err) {
        // A full disk must not leave partial files behind for every failed attempt.
        await rm(tmp, { force: true });
        throw err;
      }
    },
    async get(key) {
      try {
        const fh = await open(pathOf(key), "r");
        return Readable.toWeb(fh.createReadStream()) as ReadableStream<Uint8Array>;
      } catch (err) {
        if ((err as { code?: string }).code === "ENOENT") return undefined;
        throw err;
      }
    },
    async remove(key) {
      await rm(pathOf(key), { force: true });
    },
    async append(key, bytes) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      const fh = await open(path, "a", 0o600);
      try {
        await fh.writeFile(bytes);
        await fh.sync();
        return (await fh.stat()).size;
      } finally {
        await fh.close();
      }
    },
    async size(key) {
      try {
        return (await stat(pathOf(key))).size;
      } catch (err) {
        if ((err as { code?: string }).code === "ENOENT") return undefined;
        throw err;
      }
    },
    async rename(from, to) {
      await rename(pathOf(from), pathOf(to));
    },
  };
}
