/**
 * The wire format of the Phoenix protocol as @supabase/realtime-js speaks it (contracts §3.2).
 *
 * Glossary:
 * - vsn: the serializer the client chose in the connect URL. "1.0.0" frames are JSON objects
 *   `{topic, event, payload, ref, join_ref?}`; "2.0.0" frames are JSON arrays
 *   `[join_ref, ref, topic, event, payload]` plus binary frames for user broadcasts.
 * - kind 3 (client → server, binary, vsn 2 only): a user broadcast push.
 * - kind 4 (server → client, binary, vsn 2 only): a user broadcast.
 * - user broadcast: `{type: "broadcast", event, payload, meta?}` inside a frame whose event is "broadcast".
 *
 * Everything here is pure: no sockets, no clocks.
 */

export type Vsn = "1.0.0" | "2.0.0";

/** Parses the `vsn` query parameter the way Phoenix matches `~> 1.0.0` / `~> 2.0.0`; absent means 1.0.0. */
export function parseVsn(raw: string | null): Vsn | undefined {
  if (raw === null || raw === "") return "1.0.0";
  if (/^1\.0\.\d+$/.test(raw)) return "1.0.0";
  if (/^2\.0\.\d+$/.test(raw)) return "2.0.0";
  return undefined;
}

/** A control or channel frame, decoded. `payload` is untrusted JSON; validate before use. */
export interface PhoenixMessage {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: unknown;
}

/** The payload of a user broadcast, kept as raw JSON text or bytes so fan-out never re-encodes it. */
export type BroadcastBody = { kind: "json"; text: string } | { kind: "binary"; bytes: Uint8Array };

/** A user broadcast pushed by a client (kind 3, or a JSON `broadcast` frame). */
export interface UserBroadcastPush {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  userEvent: string;
  body: BroadcastBody;
}

export type InboundFrame =
  | { type: "message"; message: PhoenixMessage }
  | { type: "user_broadcast"; push: UserBroadcastPush };

export class FrameError extends Error {
  readonly code = "malformed_frame";
}

const KIND_USER_BROADCAST_PUSH = 3;
const KIND_USER_BROADCAST = 4;
const ENCODING_BINARY = 0;
const ENCODING_JSON = 1;

const utf8 = new TextDecoder("utf-8", { fatal: true });
const utf8Encoder = new TextEncoder();

function refOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  throw new FrameError("ref and join_ref must be strings or null");
}

function messageFrom(parts: { joinRef: unknown; ref: unknown; topic: unknown; event: unknown; payload: unknown }): PhoenixMessage {
  if (typeof parts.topic !== "string" || typeof parts.event !== "string") throw new FrameError("topic and event must be strings");
  return { joinRef: refOf(parts.joinRef), ref: refOf(parts.ref), topic: parts.topic, event: parts.event, payload: parts.payload ?? {} };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new FrameError("frame is not valid JSON");
  }
}

/** Decodes one websocket frame from a client. Throws FrameError on anything malformed. */
export function decodeFrame(vsn: Vsn, data: Uint8Array | string, isBinary: boolean): InboundFrame {
  if (isBinary) {
    if (vsn !== "2.0.0") throw new FrameError("binary frames need vsn 2.0.0");
    return { type: "user_broadcast", push: decodeUserBroadcastPush(typeof data === "string" ? utf8Encoder.encode(data) : data) };
  }
  const text = typeof data === "string" ? data : decodeUtf8(data);
  const value = parseJson(text);
  if (vsn === "1.0.0") {
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new FrameError("vsn 1.0.0 frames are JSON objects");
    const o = value as Record<string, unknown>;
    return { type: "message", message: messageFrom({ joinRef: o.join_ref, ref: o.ref, topic: o.topic, event: o.event, payload: o.payload }) };
  }
  if (!Array.isArray(value) || value.length !== 5) throw new FrameError("vsn 2.0.0 text frames are arrays of 5");
  const [joinRef, ref, topic, event, payload] = value as unknown[];
  return { type: "message", message: messageFrom({ joinRef, ref, topic, event, payload }) };
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new FrameError("frame is not valid UTF-8");
  }
}

/** Kind 3: `[3, len(join_ref), len(ref), len(topic), len(event), len(meta), encoding] join_ref ref topic event meta payload`. */
export function decodeUserBroadcastPush(bytes: Uint8Array): UserBroadcastPush {
  const headerLength = 7;
  if (bytes.length < headerLength) throw new FrameError("binary frame too short");
  if (bytes[0] !== KIND_USER_BROADCAST_PUSH) throw new FrameError(`unsupported binary frame kind ${bytes[0]}`);
  const [joinRefLen, refLen, topicLen, eventLen, metaLen, encoding] = [bytes[1]!, bytes[2]!, bytes[3]!, bytes[4]!, bytes[5]!, bytes[6]!];
  let offset = headerLength;
  const take = (length: number): Uint8Array => {
    if (offset + length > bytes.length) throw new FrameError("binary frame shorter than its header says");
    const slice = bytes.subarray(offset, offset + length);
    offset += length;
    return slice;
  };
  const joinRef = decodeUtf8(take(joinRefLen));
  const ref = decodeUtf8(take(refLen));
  const topic = decodeUtf8(take(topicLen));
  const userEvent = decodeUtf8(take(eventLen));
  take(metaLen); // client metadata (e.g. `persist`) is not used by this runtime
  const rest = bytes.subarray(offset);
  let body: BroadcastBody;
  if (encoding === ENCODING_JSON) {
    const text = decodeUtf8(rest);
    parseJson(text); // validated once here, so receivers always get well-formed JSON
    body = { kind: "json", text };
  } else if (encoding === ENCODING_BINARY) {
    body = { kind: "binary", bytes: Uint8Array.from(rest) };
  } else {
    throw new FrameError(`unknown payload encoding ${encoding}`);
  }
  return { joinRef: joinRef === "" ? null : joinRef, ref: ref === "" ? null : ref, topic, userEvent, body };
}

/** Encodes a reply, push or control frame as text. vsn 1.0.0 carries no join_ref (Phoenix V1). */
export function encodeMessage(vsn: Vsn, message: PhoenixMessage): string {
  if (vsn === "1.0.0") {
    return JSON.stringify({ topic: message.topic, event: message.event, payload: message.payload, ref: message.ref });
  }
  return JSON.stringify([message.joinRef, message.ref, message.topic, message.event, message.payload]);
}

/** One websocket frame ready to send: bytes plus whether it is a binary or a text frame. */
export interface WireFrame {
  data: Buffer;
  binary: boolean;
}

/**
 * A broadcast to fan out to many sockets. Each encoding is computed at most once, on first use,
 * so 1,000 subscribers of the same vsn share one buffer.
 */
export class OutgoingBroadcast {
  private v1: WireFrame | null | undefined;
  private v2: WireFrame | null | undefined;

  /**
   * @param topic full channel topic, `realtime:<sub-topic>`
   * @param preferBinary send kind 4 to vsn 2 sockets (as Realtime does for kind-3 and database origins)
   */
  constructor(
    readonly topic: string,
    readonly userEvent: string,
    readonly body: BroadcastBody,
    readonly meta: Record<string, unknown> | undefined,
    readonly preferBinary: boolean,
  ) {}

  /** The frame for a socket of this vsn, or null when it cannot be expressed (binary payload to vsn 1). */
  frameFor(vsn: Vsn): WireFrame | null {
    if (vsn === "1.0.0") {
      if (this.v1 === undefined) this.v1 = this.encodeV1();
      return this.v1;
    }
    if (this.v2 === undefined) this.v2 = this.encodeV2();
    return this.v2;
  }

  /** The inner `{type, event, payload, meta?}` as JSON text (only for JSON bodies). */
  private innerJson(text: string): string {
    const meta = this.meta === undefined ? "" : `,"meta":${JSON.stringify(this.meta)}`;
    return `{"type":"broadcast","event":${JSON.stringify(this.userEvent)},"payload":${text}${meta}}`;
  }

  private encodeV1(): WireFrame | null {
    if (this.body.kind !== "json") return null;
    const text = `{"topic":${JSON.stringify(this.topic)},"event":"broadcast","payload":${this.innerJson(this.body.text)},"ref":null}`;
    return { data: Buffer.from(text, "utf8"), binary: false };
  }

  private encodeV2(): WireFrame | null {
    if (this.preferBinary || this.body.kind === "binary") {
      const binary = encodeUserBroadcast(this.topic, this.userEvent, this.meta, this.body);
      if (binary) return { data: binary, binary: true };
    }
    if (this.body.kind !== "json") return null;
    const text = `[null,null,${JSON.stringify(this.topic)},"broadcast",${this.innerJson(this.body.text)}]`;
    return { data: Buffer.from(text, "utf8"), binary: false };
  }
}

/** Kind 4: `[4, len(topic), len(event), len(meta), encoding] topic event meta payload`; null if a field exceeds 255 bytes. */
export function encodeUserBroadcast(
  topic: string,
  userEvent: string,
  meta: Record<string, unknown> | undefined,
  body: BroadcastBody,
): Buffer | null {
  const topicBytes = Buffer.from(topic, "utf8");
  const eventBytes = Buffer.from(userEvent, "utf8");
  const metaBytes = Buffer.from(meta === undefined ? "" : JSON.stringify(meta), "utf8");
  if (topicBytes.length > 255 || eventBytes.length > 255 || metaBytes.length > 255) return null;
  const payload = body.kind === "json" ? Buffer.from(body.text, "utf8") : body.bytes;
  const header = Buffer.from([
    KIND_USER_BROADCAST,
    topicBytes.length,
    eventBytes.length,
    metaBytes.length,
    body.kind === "json" ? ENCODING_JSON : ENCODING_BINARY,
  ]);
  return Buffer.concat([header, topicBytes, eventBytes, metaBytes, payload]);
}
