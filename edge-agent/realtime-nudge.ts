/**
 * The Realtime nudge: joins the device's private channel `device:<device_id>` with the device credential
 * and calls `onNudge` on every `desired_state_changed` broadcast, and after every (re)subscription, since
 * broadcasts sent while disconnected are lost. Only a latency hint: the reconciler polls anyway.
 */
import { RealtimeClient } from "@supabase/supabase-js";
import { DESIRED_STATE_CHANGED_EVENT, deviceTopic } from "../functions/_shared/edge/device-api.ts";
import type { Logger } from "./log.ts";

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
  onNudge: () => void;
  log: Logger;
}

export function listenForNudges(options: RealtimeNudgeOptions): NudgeSource {
  const client = new RealtimeClient(`${options.supabaseUrl}/realtime/v1`, {
    params: { apikey: options.anonKey },
    accessToken: options.accessToken,
  });
  const channel = client.channel(deviceTopic(options.deviceId), { config: { private: true } });
  channel.on("broadcast", { event: DESIRED_STATE_CHANGED_EVENT }, () => options.onNudge());
  channel.subscribe((status, error) => {
    if (status === "SUBSCRIBED") {
      options.log.info("listening for nudges", { topic: deviceTopic(options.deviceId) });
      options.onNudge();
    } else {
      options.log.warn("nudge channel not subscribed; polling continues", { status, error: error?.message });
    }
  });
  return {
    close: async () => {
      await client.removeAllChannels();
      client.disconnect();
    },
  };
}
