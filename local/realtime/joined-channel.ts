import type { Subscriber } from "./channel-registry.ts";
import type { JoinConfig } from "./join-config.ts";
import type { RealtimeClaims } from "./jwt.ts";
import type { OutgoingBroadcast } from "./serializer.ts";

/** The longest delay a Node timer can hold; tokens expiring later are not timed (they outlive the socket). */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * One channel joined on one socket: its join settings, the JWT it was authorized with, and the
 * authorization decisions cached for it (READ at join and on token refresh, WRITE on first send).
 */
export class JoinedChannel implements Subscriber {
  /** WRITE decision for private channels, computed once per token (cleared on refresh). */
  writeDecision: Promise<boolean> | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly topic: string,
    readonly subTopic: string,
    readonly joinRef: string | null,
    readonly config: JoinConfig,
    public claims: RealtimeClaims,
    private readonly deliverTo: (broadcast: OutgoingBroadcast) => void,
  ) {}

  get isPrivate(): boolean {
    return this.config.private;
  }

  deliver(broadcast: OutgoingBroadcast): void {
    this.deliverTo(broadcast);
  }

  /** Calls `onExpired` when the current token's `exp` passes (re-armed on each refresh). */
  armExpiry(nowMs: number, onExpired: () => void): void {
    this.clearExpiry();
    const delay = this.claims.exp * 1000 - nowMs;
    if (delay > MAX_TIMER_MS) return;
    this.expiryTimer = setTimeout(onExpired, Math.max(0, delay));
    this.expiryTimer.unref();
  }

  clearExpiry(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
  }
}
