/**
 * The Realtime nudge: joins the device's private channel `device:<device_id>` with the device credential
 * and calls `onNudge` on every `desired_state_changed` broadcast, and after every (re)subscription, since
 * broadcasts sent while disconnected are lost. Only a latency hint: the reconciler polls anyway.
 */
import { RealtimeClient } from "@supabase/supabase-js";
import { DESIRED_STATE_CHANGED_EVENT, deviceTopic } from "../functions/_shared/edge/device-api.ts";
import type { Logger } from "../functions/_shared/log.ts";

export interface NudgeSource {
  /** Stops listening and closes the connection. */
  close(): Promise<void>;
}

export interface RealtimeNudgeOptions {
  supabaseUrl: string;
  anonKey: string;
  deviceId: string;
  /** The current device JWT (renewed tokens are picked up on reconnect and on the client's token refresh). */
  accessToken: () => Promise<string>;
  /** Called on every nudge broadcast, and once the channel is (re)subscribed. */
  onNudge: (reason: "broadcast" | "subscribed") => void;
  log: Logger;
  /** A WebSocket constructor, for runtimes without a global one (Node 20: `ws`). Deno has one. */
  transport?: unknown;
}

export function listenForNudges(options: RealtimeNudgeOptions): NudgeSource {
  const client = new RealtimeClient(`${options.supabaseUrl}/realtime/v1`, {
    params: { apikey: options.anonKey },
    accessToken: options.accessToken,
    ...(options.transport ? { transport: options.transport as never } : {}),
  });
  const channel = client.channel(deviceTopic(options.deviceId), { config: { private: true } });
  channel.on("broadcast", { event: DESIRED_STATE_CHANGED_EVENT }, () => options.onNudge("broadcast"));
  // The first join must already carry the device JWT (realtime-js would otherwise join with the anon
  // key while the token is still being resolved, and the private channel refuses it).
  void client.setAuth()
    .catch((error: unknown) => options.log.warn("could not set the nudge channel's token", { error: String(error) }))
    .then(() => channel.subscribe((status, error) => {
      if (status === "SUBSCRIBED") {
        options.log.info("listening for nudges", { topic: deviceTopic(options.deviceId) });
        options.onNudge("subscribed");
      } else {
        options.log.warn("nudge channel not subscribed; polling continues", { status, error: error?.message });
      }
    }));
  return {
    close: async () => {
      await client.removeAllChannels();
      client.disconnect();
    },
  };
}
