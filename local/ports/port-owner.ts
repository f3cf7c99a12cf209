import { readFile, readdir, readlink } from "node:fs/promises";
import net from "node:net";

/** True when nothing listens on host:port (we could bind it ourselves). */
export function isPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * The process listening on a TCP port, read from /proc (Linux). Undefined when it cannot be told
 * (another user's process, or not Linux).
 */
export async function describePortOwner(port: number): Promise<string | undefined> {
  const inodes = new Set<string>();
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    const text = await readFile(file, "utf8").catch(() => "");
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      const state = cols[3];
      const inode = cols[9];
      if (!local || !inode || state !== "0A") continue; // 0A = LISTEN
      const hexPort = local.split(":").pop();
      if (hexPort && parseInt(hexPort, 16) === port) inodes.add(inode);
    }
  }
  if (inodes.size === 0) return undefined;
  const pids = await readdir("/proc").catch(() => [] as string[]);
  for (const pid of pids) {
    if (!/^\d+$/.test(pid)) continue;
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "");
      const match = /^socket:\[(\d+)\]$/.exec(target);
      if (match?.[1] && inodes.has(match[1])) {
        const cmd = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
        return `pid ${pid} (${cmd.split("\0").filter(Boolean).join(" ").slice(0, 200)})`;
      }
    }
  }
  return undefined;
}
