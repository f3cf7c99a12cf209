import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { StackError } from "../cli/stack-error.ts";

/** PostgreSQL 15 from Debian, as the design fixes it. */
export const PG_BIN = "/usr/lib/postgresql/15/bin";
export const PG_LIB = "/usr/lib/postgresql/15/lib";
export const PG_SHARE = "/usr/share/postgresql/15";

interface Requirement {
  /** Debian package that provides it. */
  pkg: string;
  /** A file whose presence proves the package is installed. */
  probe: string;
}

export const POSTGRES_REQUIREMENTS: Requirement[] = [
  { pkg: "postgresql-15", probe: `${PG_BIN}/postgres` },
  { pkg: "postgresql-client-15", probe: `${PG_BIN}/psql` },
  { pkg: "postgresql-15-cron", probe: `${PG_LIB}/pg_cron.so` },
];

/** What the test suites need besides PostgreSQL: real containers for the edge tests, a browser for the dashboard's. */
export const TEST_REQUIREMENTS: Requirement[] = [
  { pkg: "podman", probe: "/usr/bin/podman" },
  { pkg: "runc", probe: "/usr/sbin/runc" },
  { pkg: "busybox-static", probe: "/bin/busybox" },
  { pkg: "chromium", probe: "/usr/bin/chromium" },
];

export function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/**
 * Installs the Debian packages whose probe file is missing (as root, with apt-get), or fails with a
 * message naming exactly what to install.
 */
export function ensureSystemPackages(requirements: Requirement[], log: (message: string) => void): void {
  const missing = requirements.filter((r) => !existsSync(r.probe)).map((r) => r.pkg);
  if (missing.length === 0) return;
  if (!isRoot()) {
    throw new StackError(
      "system_packages_missing",
      `missing system packages: ${missing.join(", ")}. Install them with: sudo apt-get install -y ${missing.join(" ")}`,
    );
  }
  log(`installing system packages: ${missing.join(", ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["update", "-qq"], ["install", "-y", "-qq", "--no-install-recommends", ...missing]]) {
    const result = spawnSync("apt-get", args, { stdio: ["ignore", "ignore", "inherit"], env });
    if (result.status !== 0) {
      throw new StackError(
        "system_packages_install_failed",
        `apt-get ${args[0]} failed (exit ${result.status ?? result.signal}); install by hand: apt-get install -y ${missing.join(" ")}`,
      );
    }
  }
  const still = requirements.filter((r) => !existsSync(r.probe)).map((r) => r.pkg);
  if (still.length > 0) {
    throw new StackError("system_packages_missing", `packages installed but still missing files: ${still.join(", ")}`);
  }
}
