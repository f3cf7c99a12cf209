import { describe, expect, it } from "vitest";
import { refuseAddress } from "../../../functions/_shared/health/address-guard.ts";

const strict = { allowLoopback: false, allowPrivate: false };
const local = { allowLoopback: true, allowPrivate: false };
const lan = { allowLoopback: false, allowPrivate: true };

describe("SSRF guard of health checks", () => {
  it.each([
    ["http://169.254.169.254/latest/meta-data/", "link-local or metadata address"],
    ["http://metadata.google.internal/computeMetadata/v1/", "metadata address"],
    ["http://metadata.google.internal./", "metadata address"],
    ["http://100.100.100.200/", "metadata address"],
    ["http://[fd00:ec2::254]/", "metadata address"],
    ["http://[fe80::1]/", "link-local address"],
    ["http://[::ffff:169.254.169.254]/", "link-local or metadata address"],
    ["http://[64:ff9b::a9fe:a9fe]/", "link-local or metadata address"],
    ["http://127.0.0.1:8080/health", "loopback address"],
    ["http://2130706433/health", "loopback address"],
    ["http://0x7f.1/health", "loopback address"],
    ["http://localhost/health", "loopback address"],
    ["http://localhost./health", "loopback address"],
    ["http://api.localhost/health", "loopback address"],
    ["http://[::1]/health", "loopback address"],
    ["http://[::ffff:127.0.0.1]/health", "loopback address"],
    ["http://0.0.0.0/", "unspecified address"],
    ["http://10.0.0.5/health", "private address"],
    ["http://172.16.3.4/health", "private address"],
    ["http://192.168.1.10/health", "private address"],
    ["http://100.64.0.1/health", "private address"],
    ["http://[fd12:3456::1]/health", "private address"],
    ["http://224.0.0.1/", "multicast or reserved address"],
    ["http://[ff02::1]/", "multicast address"],
    ["file:///etc/passwd", "scheme file: is not allowed"],
    ["gopher://example.com/", "scheme gopher: is not allowed"],
    ["http://user:pw@example.com/health", "credentials in the URL are not allowed"],
    ["not a url", "not a URL"],
  ])("refuses %s (%s)", (url, reason) => {
    expect(refuseAddress(url, strict)).toBe(reason);
  });

  it("allows public addresses and names", () => {
    expect(refuseAddress("https://agent-c1.up.railway.app/health", strict)).toBeUndefined();
    expect(refuseAddress("http://93.184.216.34/health", strict)).toBeUndefined();
    expect(refuseAddress("http://[2606:4700::1111]/health", strict)).toBeUndefined();
  });

  it("allows loopback only in local mode, and private ranges only where allowed — metadata never", () => {
    expect(refuseAddress("http://127.0.0.1:8080/health", local)).toBeUndefined();
    expect(refuseAddress("http://localhost:8080/health", local)).toBeUndefined();
    expect(refuseAddress("http://10.0.0.5/health", local)).toBe("private address");
    expect(refuseAddress("http://192.168.1.10/health", lan)).toBeUndefined();
    expect(refuseAddress("http://[fd12::1]/health", lan)).toBeUndefined();
    expect(refuseAddress("http://[fd00:ec2::254]/", lan)).toBe("metadata address");
    expect(refuseAddress("http://169.254.169.254/", { allowLoopback: true, allowPrivate: true })).toBe("link-local or metadata address");
  });
});
