import ClientSerializer from "@supabase/realtime-js/dist/main/lib/serializer.js";
import { describe, expect, it } from "vitest";
import {
  decodeFrame,
  decodeUserBroadcastPush,
  encodeMessage,
  encodeUserBroadcast,
  FrameError,
  OutgoingBroadcast,
  parseVsn,
} from "../../../local/realtime/serializer.ts";

/**
 * The server's serializer against realtime-js' own serializer: what the client encodes we decode,
 * what we encode the client decodes, for vsn 1.0.0 objects, vsn 2.0.0 arrays and binary kinds 3/4.
 */
const client = new ClientSerializer();

function clientEncode(msg: { join_ref: string | null; ref: string | null; topic: string; event: string; payload: Record<string, unknown> }): string | ArrayBuffer {
  return client.encode(msg, (result: string | ArrayBuffer) => result) as string | ArrayBuffer;
}

function clientDecode(data: ArrayBuffer | string): { join_ref: unknown; ref: unknown; topic: string; event: string; payload: Record<string, unknown> } {
  return client.decode(data, (m: unknown) => m) as never;
}

function toArrayBuffer(buffer: Buffer): ArrayBuffer {
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
}

describe("parseVsn", () => {
  it("maps ~> 1.0.0 and ~> 2.0.0, defaults to 1.0.0, refuses others", () => {
    expect(parseVsn(null)).toBe("1.0.0");
    expect(parseVsn("1.0.0")).toBe("1.0.0");
    expect(parseVsn("2.0.0")).toBe("2.0.0");
    expect(parseVsn("2.0.7")).toBe("2.0.0");
    expect(parseVsn("3.0.0")).toBeUndefined();
    expect(parseVsn("2.1.0")).toBeUndefined();
  });
});

describe("decodeFrame", () => {
  it("reads vsn 2.0.0 text arrays as the client writes them", () => {
    const text = clientEncode({ join_ref: "6", ref: "6", topic: "realtime:room1", event: "phx_join", payload: { config: {} } });
    expect(typeof text).toBe("string");
    expect(decodeFrame("2.0.0", Buffer.from(text as string), false)).toEqual({
      type: "message",
      message: { joinRef: "6", ref: "6", topic: "realtime:room1", event: "phx_join", payload: { config: {} } },
    });
  });

  it("reads vsn 1.0.0 objects, with or without join_ref", () => {
    const frame = decodeFrame("1.0.0", JSON.stringify({ topic: "phoenix", event: "heartbeat", payload: {}, ref: "3" }), false);
    expect(frame).toEqual({ type: "message", message: { joinRef: null, ref: "3", topic: "phoenix", event: "heartbeat", payload: {} } });
  });

  it("reads a kind 3 JSON broadcast push from the client, including multi-byte UTF-8", () => {
    const encoded = clientEncode({
      join_ref: "1",
      ref: "7",
      topic: "realtime:röom",
      event: "broadcast",
      payload: { type: "broadcast", event: "héllo", payload: { a: "✓" } },
    });
    expect(encoded).toBeInstanceOf(ArrayBuffer);
    const frame = decodeFrame("2.0.0", Buffer.from(encoded as ArrayBuffer), true);
    expect(frame).toEqual({
      type: "user_broadcast",
      push: { joinRef: "1", ref: "7", topic: "realtime:röom", userEvent: "héllo", body: { kind: "json", text: '{"a":"✓"}' } },
    });
  });

  it("reads a kind 3 binary broadcast push", () => {
    const payload = new Uint8Array([1, 2, 3]).buffer;
    const encoded = clientEncode({ join_ref: "1", ref: "2", topic: "realtime:b", event: "broadcast", payload: { type: "broadcast", event: "bin", payload } });
    const push = decodeUserBroadcastPush(new Uint8Array(encoded as ArrayBuffer));
    expect(push.body).toEqual({ kind: "binary", bytes: new Uint8Array([1, 2, 3]) });
  });

  it("rejects malformed frames with FrameError", () => {
    expect(() => decodeFrame("2.0.0", "not json", false)).toThrow(FrameError);
    expect(() => decodeFrame("2.0.0", "[1,2,3]", false)).toThrow(FrameError);
    expect(() => decodeFrame("2.0.0", JSON.stringify([null, null, 5, "x", {}]), false)).toThrow(FrameError);
    expect(() => decodeFrame("1.0.0", "[null,null,\"t\",\"e\",{}]", false)).toThrow(FrameError);
    expect(() => decodeFrame("1.0.0", Buffer.from([3]), true)).toThrow(FrameError);
    expect(() => decodeFrame("2.0.0", Buffer.from([4, 0, 0, 0, 0, 0, 1]), true)).toThrow(/kind 4/);
    expect(() => decodeFrame("2.0.0", Buffer.from([3, 5, 0, 0, 0, 0, 1, 65]), true)).toThrow(/shorter/);
    // A kind 3 JSON push whose payload is not JSON is refused, so receivers never get broken JSON.
    expect(() => decodeFrame("2.0.0", Buffer.concat([Buffer.from([3, 0, 0, 1, 1, 0, 1]), Buffer.from("te{oops")]), true)).toThrow(FrameError);
  });
});

describe("encoding replies and pushes", () => {
  it("writes vsn 2.0.0 arrays and vsn 1.0.0 objects without join_ref, which the client reads back", () => {
    const msg = { joinRef: "6", ref: "6", topic: "realtime:room1", event: "phx_reply", payload: { status: "ok", response: {} } };
    expect(clientDecode(encodeMessage("2.0.0", msg))).toEqual({
      join_ref: "6", ref: "6", topic: "realtime:room1", event: "phx_reply", payload: { status: "ok", response: {} },
    });
    expect(JSON.parse(encodeMessage("1.0.0", msg))).toEqual({ topic: "realtime:room1", event: "phx_reply", payload: { status: "ok", response: {} }, ref: "6" });
  });
});

describe("OutgoingBroadcast", () => {
  it("sends kind 4 to vsn 2 when preferred, with meta, which realtime-js decodes", () => {
    const b = new OutgoingBroadcast("realtime:agent:x", "reply", { kind: "json", text: '{"a": 1}' }, { id: "u-1" }, true);
    const frame = b.frameFor("2.0.0");
    expect(frame?.binary).toBe(true);
    expect(clientDecode(toArrayBuffer(frame!.data))).toEqual({
      join_ref: null, ref: null, topic: "realtime:agent:x", event: "broadcast",
      payload: { type: "broadcast", event: "reply", payload: { a: 1 }, meta: { id: "u-1" } },
    });
    expect(b.frameFor("2.0.0")).toBe(frame); // encoded once, shared by every subscriber
  });

  it("sends text to vsn 2 when not preferred, and objects to vsn 1", () => {
    const b = new OutgoingBroadcast("realtime:t", "e", { kind: "json", text: "[1,2]" }, undefined, false);
    const v2 = b.frameFor("2.0.0")!;
    expect(v2.binary).toBe(false);
    expect(clientDecode(v2.data.toString())).toMatchObject({ topic: "realtime:t", event: "broadcast", payload: { type: "broadcast", event: "e", payload: [1, 2] } });
    const v1 = b.frameFor("1.0.0")!;
    expect(JSON.parse(v1.data.toString())).toEqual({ topic: "realtime:t", event: "broadcast", payload: { type: "broadcast", event: "e", payload: [1, 2] }, ref: null });
  });

  it("sends binary payloads as kind 4 to vsn 2 and cannot express them in vsn 1", () => {
    const b = new OutgoingBroadcast("realtime:t", "bin", { kind: "binary", bytes: new Uint8Array([7, 8]) }, undefined, false);
    const decoded = clientDecode(toArrayBuffer(b.frameFor("2.0.0")!.data));
    expect(new Uint8Array(decoded.payload.payload as ArrayBuffer)).toEqual(new Uint8Array([7, 8]));
    expect(b.frameFor("1.0.0")).toBeNull();
  });

  it("falls back to text when a header field is longer than 255 bytes", () => {
    expect(encodeUserBroadcast("realtime:" + "x".repeat(300), "e", undefined, { kind: "json", text: "{}" })).toBeNull();
    const b = new OutgoingBroadcast("realtime:" + "x".repeat(300), "e", { kind: "json", text: "{}" }, undefined, true);
    expect(b.frameFor("2.0.0")?.binary).toBe(false);
  });
});
