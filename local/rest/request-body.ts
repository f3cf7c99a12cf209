import { invalidBody, payloadTooLarge, RestError } from "./errors.ts";

/**
 * The request body: read with a size limit (413 PGRST413 past it, without reading the rest),
 * decoded as UTF-8, parsed as JSON (PGRST102 otherwise). The raw text is kept: it is what is bound
 * to the statement, so numbers keep their precision.
 */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface JsonBody {
  text: string;
  value: unknown;
}

/**
 * Reads the rest of a body and drops it. A body is never cancelled: cancelling a stream made by
 * Node's `Readable.toWeb` while data still arrives throws an uncaught ERR_INVALID_STATE (Node 20).
 */
export async function discardBody(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  try {
    for (;;) if ((await reader.read()).done) return;
  } catch {
    // The client went away: nothing left to drain.
  }
}

export async function readBodyText(request: Request, limit: number): Promise<string> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) {
    void discardBody(reader);
    throw payloadTooLarge(limit);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      void discardBody(reader);
      throw payloadTooLarge(limit);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw invalidBody("Empty or invalid json", "The request body is not valid UTF-8");
  }
}

export async function readJsonBody(request: Request, limit: number): Promise<JsonBody | undefined> {
  const contentType = (request.headers.get("content-type") ?? "application/json").split(";")[0]?.trim().toLowerCase();
  const text = await readBodyText(request, limit);
  if (contentType !== "application/json" && contentType !== "" && !contentType?.endsWith("+json")) {
    throw new RestError(415, { code: "PGRST107", message: `Content-Type not acceptable: ${contentType}`, hint: "Send application/json" });
  }
  if (text.trim() === "") return undefined;
  try {
    return { text, value: JSON.parse(text) as unknown };
  } catch (error) {
    throw invalidBody("Empty or invalid json", error instanceof Error ? error.message : null);
  }
}
