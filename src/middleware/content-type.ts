import type { MiddlewareHandler } from "hono";
import { ProblemError } from "../lib/errors.ts";

/** Routes with a JSON body refuse other media types with 415 rather than guessing. */
export const requireJson: MiddlewareHandler = async (c, next) => {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type)) {
    throw new ProblemError(415, "Send the request body as application/json.");
  }
  await next();
};

/** Upload routes take `multipart/form-data` only. */
export const requireMultipart: MiddlewareHandler = async (c, next) => {
  const type = c.req.header("content-type") ?? "";
  if (!/^multipart\/form-data\s*;/i.test(type)) {
    throw new ProblemError(415, "Send the file as multipart/form-data.");
  }
  await next();
};
