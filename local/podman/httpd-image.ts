/**
 * Builds the test image with no registry: a rootfs holding Debian's static busybox (`busybox-static`,
 * `/bin/busybox`) and `/www/health`, packed as a tarball and imported with `podman import --change CMD`.
 * The container runs `busybox httpd -f -p <port> -h /www` and answers `GET /health` with 200.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PodmanError, type PodmanService } from "./podman-service.ts";

export const BUSYBOX_STATIC = "/bin/busybox";

export interface HttpdImageOptions {
  /** Image reference to tag it as. Default `localhost/agentify-httpd:test`. */
  image?: string;
  /** Port httpd listens on inside the container. Default 8080. */
  port?: number;
  /** Folder for the rootfs and tarball (removed afterwards). */
  workDir: string;
}

export interface HttpdImage {
  image: string;
  port: number;
}

export function buildHttpdImage(podman: Pick<PodmanService, "cli">, options: HttpdImageOptions): HttpdImage {
  const image = options.image ?? "localhost/agentify-httpd:test";
  const port = options.port ?? 8080;
  if (!existsSync(BUSYBOX_STATIC)) throw new PodmanError("podman_missing", `${BUSYBOX_STATIC} is missing; install: apt-get install -y busybox-static`);
  mkdirSync(options.workDir, { recursive: true });
  const buildDir = mkdtempSync(join(options.workDir, "httpd-image-"));
  try {
    const rootfs = join(buildDir, "rootfs");
    mkdirSync(join(rootfs, "bin"), { recursive: true });
    mkdirSync(join(rootfs, "www"), { recursive: true });
    copyFileSync(BUSYBOX_STATIC, join(rootfs, "bin", "busybox"));
    writeFileSync(join(rootfs, "www", "health"), "ok\n");
    const tarball = join(buildDir, "rootfs.tar");
    const tar = spawnSync("tar", ["-C", rootfs, "-cf", tarball, "."], { encoding: "utf8" });
    if (tar.status !== 0) throw new PodmanError("podman_command_failed", `tar failed: ${tar.stderr}`);
    const cmd = JSON.stringify(["/bin/busybox", "httpd", "-f", "-p", String(port), "-h", "/www"]);
    const imported = podman.cli(["import", "--change", `CMD ${cmd}`, tarball, image]);
    if (imported.status !== 0) throw new PodmanError("podman_command_failed", `podman import failed: ${imported.stderr.trim()}`);
    return { image, port };
  } finally {
    rmSync(buildDir, { recursive: true, force: true });
  }
}
