/**
 * Performs one queued pg_net request and describes the outcome as a `net._http_response` row.
 * Error texts follow libcurl's wording, which is what pg_net stores in `error_msg`.
 */
export interface QueuedRequest {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string> | null;
  body: Uint8Array | null;
  timeout_milliseconds: number;
}

export interface ResponseRow {
  id: string;
  status_code: number | null;
  content_type: string | null;
  headers: Record<string, string> | null;
  content: string | null;
  timed_out: boolean;
  error_msg: string | null;
}

const USER_AGENT = "pg_net/0.20.4";

function curlMessage(error: unknown, timeoutMs: number): { timedOut: boolean; message: string } {
  const e = error as { name?: string; cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError") return { timedOut: true, message: `Timeout of ${timeoutMs} ms reached` };
  switch (e.cause?.code) {
    case "ECONNREFUSED": return { timedOut: false, message: "Couldn't connect to server" };
    case "ENOTFOUND":
    case "EAI_AGAIN": return { timedOut: false, message: "Couldn't resolve host name" };
    case "ECONNRESET":
    case "UND_ERR_SOCKET": return { timedOut: false, message: "Failure when receiving data from the peer" };
    default: return { timedOut: false, message: e.cause?.message ?? (error instanceof Error ? error.message : String(error)) };
  }
}

export async function performRequest(request: QueuedRequest, fetchImpl: typeof fetch = fetch): Promise<ResponseRow> {
  const headers = new Headers(request.headers ?? {});
  if (!headers.has("user-agent")) headers.set("user-agent", USER_AGENT);
  try {
    const response = await fetchImpl(request.url, {
      method: request.method.toUpperCase(),
      headers,
      body: request.body && request.body.length > 0 ? new Blob([new Uint8Array(request.body)]) : undefined,
      signal: AbortSignal.timeout(request.timeout_milliseconds),
      redirect: "manual",
    });
    const content = await response.text();
    const responseHeaders: Record<string, string> = {};
    response.headers.forEach((value, name) => { responseHeaders[name] = value; });
    return {
      id: request.id,
      status_code: response.status,
      content_type: response.headers.get("content-type"),
      headers: responseHeaders,
      content: content.length > 0 ? content : null,
      timed_out: false,
      error_msg: null,
    };
  } catch (error) {
    const { timedOut, message } = curlMessage(error, request.timeout_milliseconds);
    return { id: request.id, status_code: null, content_type: null, headers: null, content: null, timed_out: timedOut, error_msg: message };
  }
}
