import type { OutgoingBroadcast } from "./serializer.ts";

/**
 * Topic → joined channels, and fan-out. Public and private channels of the same name are separate
 * audiences, as in Realtime: a private row or a broadcast on a private channel reaches only private
 * channels (each of which passed the READ check when it joined or last refreshed its token), a
 * public one only public channels.
 */
export interface Subscriber {
  /** Delivers an already-encoded broadcast; must not throw and must not block. */
  deliver(broadcast: OutgoingBroadcast): void;
}

function keyOf(subTopic: string, isPrivate: boolean): string {
  return (isPrivate ? "p:" : "u:") + subTopic;
}

export class ChannelRegistry {
  private readonly topics = new Map<string, Set<Subscriber>>();

  add(subTopic: string, isPrivate: boolean, subscriber: Subscriber): void {
    const key = keyOf(subTopic, isPrivate);
    let set = this.topics.get(key);
    if (!set) {
      set = new Set();
      this.topics.set(key, set);
    }
    set.add(subscriber);
  }

  remove(subTopic: string, isPrivate: boolean, subscriber: Subscriber): void {
    const key = keyOf(subTopic, isPrivate);
    const set = this.topics.get(key);
    if (!set) return;
    set.delete(subscriber);
    if (set.size === 0) this.topics.delete(key);
  }

  /** Sends to every subscriber of (topic, privacy) except `exclude`; returns how many were handed the frame. */
  fanout(subTopic: string, isPrivate: boolean, broadcast: OutgoingBroadcast, exclude?: Subscriber): number {
    const set = this.topics.get(keyOf(subTopic, isPrivate));
    if (!set) return 0;
    let count = 0;
    // Copy first: a delivery may disconnect a slow socket, which removes it from this set.
    for (const subscriber of [...set]) {
      if (subscriber === exclude) continue;
      subscriber.deliver(broadcast);
      count++;
    }
    return count;
  }

  subscriberCount(subTopic: string, isPrivate: boolean): number {
    return this.topics.get(keyOf(subTopic, isPrivate))?.size ?? 0;
  }
}
