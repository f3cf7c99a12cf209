import net from "node:net";
import { describe, expect, it } from "vitest";
import { describePortOwner, isPortFree } from "../../../local/ports/port-owner.ts";

describe("port owner", () => {
  it("tells a taken port from a free one and names the process that holds it", async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as net.AddressInfo).port;
    try {
      expect(await isPortFree("127.0.0.1", port)).toBe(false);
      expect(await describePortOwner(port)).toMatch(new RegExp(`^pid ${process.pid} \\(`));
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
    expect(await isPortFree("127.0.0.1", port)).toBe(true);
    expect(await describePortOwner(port)).toBeUndefined();
  });
});
