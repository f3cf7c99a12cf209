import { describe, expect, it } from "vitest";
import { broadcastOfRow, type MessageRow } from "../../../local/realtime/db-broadcasts.ts";

/** Which replicated realtime.messages rows become broadcasts, and how they are addressed (contracts §2.3). */
const row = (overrides: Partial<MessageRow> = {}): MessageRow => ({
  topic: "agent:a",
  extension: "broadcast",
  payload: '{"x": 1}',
  binary_payload: null,
  event: "reply",
  private: true,
  id: "8c1f4a0e-0000-4000-8000-000000000001",
  ...overrides,
});

describe("broadcastOfRow", () => {
  it("addresses a row to realtime:<topic> with meta.id, keeping its privacy", () => {
    const routed = broadcastOfRow(row());
    expect(routed?.subTopic).toBe("agent:a");
    expect(routed?.isPrivate).toBe(true);
    expect(routed?.broadcast.topic).toBe("realtime:agent:a");
    expect(routed?.broadcast.meta).toEqual({ id: "8c1f4a0e-0000-4000-8000-000000000001" });
    expect(routed?.broadcast.body).toEqual({ kind: "json", text: '{"x": 1}' });
    expect(broadcastOfRow(row({ private: false }))?.isPrivate).toBe(false);
  });

  it("carries binary_payload rows as binary", () => {
    const routed = broadcastOfRow(row({ payload: null, binary_payload: Buffer.from([1, 2]) }));
    expect(routed?.broadcast.body).toEqual({ kind: "binary", bytes: Buffer.from([1, 2]) });
  });

  it("ignores presence rows and rows missing event, id, topic, private or any payload", () => {
    expect(broadcastOfRow(row({ extension: "presence" }))).toBeUndefined();
    expect(broadcastOfRow(row({ event: null }))).toBeUndefined();
    expect(broadcastOfRow(row({ id: null }))).toBeUndefined();
    expect(broadcastOfRow(row({ topic: null }))).toBeUndefined();
    expect(broadcastOfRow(row({ private: null }))).toBeUndefined();
    expect(broadcastOfRow(row({ payload: null }))).toBeUndefined();
  });
});
