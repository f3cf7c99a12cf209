import { randomUUID } from "node:crypto";
import type { Logger } from "../log/logger.ts";
import type { Authorizer } from "./authorization.ts";
import { ChannelReasons, SystemMessages } from "./channel-errors.ts";
import type { ChannelRegistry } from "./channel-registry.ts";
import { parseAccessTokenPayload, parseBroadcastPush, parseJoinPayload, type JoinConfig } from "./join-config.ts";
import { JoinedChannel } from "./joined-channel.ts";
import { checkRealtimeJwt, isOpaqueApiKey, type RealtimeClaims } from "./jwt.ts";
import {
  decodeFrame,
  encodeMessage,
  FrameError,
  OutgoingBroadcast,
  type BroadcastBody,
  type PhoenixMessage,
  type UserBroadcastPush,
  type Vsn,
} from "./serializer.ts";

/**
 * One websocket connection speaking Phoenix (contracts §3): heartbeats, joins, leaves, access-token
 * refresh, client broadcasts; and the bounded outgoing side — when the socket's unsent bytes pass
 * `maxBufferedBytes`, the connection is dropped instead of letting one slow reader hold memory or
 * delay anyone else (the client reconnects and rejoins on its own).
 *
 * Invariant: a channel is in the registry exactly while it is in `channels`; every path that
 * removes it (leave, refusal on refresh, expiry, socket close) goes through `dropChannel`.
 * Messages for one topic are handled in order (a queue per topic); heartbeats never wait.
 */
export interface SessionTransport {
  send(data: Buffer | string, binary: boolean): void;
  /** Bytes accepted by `send` but not yet written to the network. */
  bufferedAmount(): number;
  /** Drops the connection at once (no close handshake): for slow or dead peers. */
  terminate(): void;
  close(code: number, reason: string): void;
}

export interface SessionLimits {
  /** Unsent bytes allowed per socket before it is disconnected as a slow consumer. */
  maxBufferedBytes: number;
  /** Channels one socket may join (Realtime's default is 100). */
  maxChannels: number;
  /** Largest broadcast payload a client may push, in bytes. */
  maxBroadcastBytes: number;
}

export interface SessionOptions {
  vsn: Vsn;
  /** The connect-time apikey (verified at upgrade; verified again at each join that falls back to it). */
  connectToken: string;
  /** The upgrade request's `x-*` headers, passed to policies as `request.headers`. */
  headers: Record<string, string>;
  jwtSecret: string;
  registry: ChannelRegistry;
  authorizer: Authorizer;
  limits: SessionLimits;
  log: Logger;
  now?: () => number;
}

const TOPIC_PREFIX = "realtime:";

export class SocketSession {
  readonly id = randomUUID();
  private readonly channels = new Map<string, JoinedChannel>();
  private readonly queues = new Map<string, Promise<void>>();
  private pendingJoins = 0;
  private closed = false;
  private readonly now: () => number;
  private readonly log: Logger;
  /** Last time a frame arrived (ms); the service drops sockets that stay silent too long. */
  lastSeen: number;
  /** Broadcasts not sent because the socket's vsn cannot express them (binary payload on vsn 1). */
  undeliverable = 0;

  constructor(private readonly transport: SessionTransport, private readonly options: SessionOptions) {
    this.now = options.now ?? Date.now;
    this.lastSeen = this.now();
    this.log = options.log.child({ session: this.id, vsn: options.vsn });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get channelCount(): number {
    return this.channels.size;
  }

  /** Entry point for every frame the client sends. */
  receive(data: Buffer | string, isBinary: boolean): void {
    if (this.closed) return;
    this.lastSeen = this.now();
    let frame;
    try {
      frame = decodeFrame(this.options.vsn, data, isBinary);
    } catch (error) {
      if (!(error instanceof FrameError)) throw error;
      this.log.warn("ignored a malformed frame", { code: error.code, reason: error.message });
      return;
    }
    if (frame.type === "user_broadcast") {
      const push = frame.push;
      this.enqueue(push.topic, () => this.onUserBroadcast(push, true));
      return;
    }
    const message = frame.message;
    if (message.topic === "phoenix" && message.event === "heartbeat") {
      this.reply(message, "ok", {});
      return;
    }
    this.enqueue(message.topic, () => this.dispatch(message));
  }

  /** The transport closed (client went away, or we dropped it): leave every channel. */
  onTransportClosed(): void {
    if (this.closed) return;
    this.closed = true;
    for (const channel of [...this.channels.values()]) this.dropChannel(channel);
  }

  /** Closes the socket from the server side (shutdown). */
  close(code: number, reason: string): void {
    this.transport.close(code, reason);
    this.onTransportClosed();
  }

  /** Drops the socket at once (idle or slow). */
  terminate(reason: string): void {
    if (this.closed) return;
    this.log.warn("disconnecting socket", { reason, channels: this.channels.size });
    this.transport.terminate();
    this.onTransportClosed();
  }

  private enqueue(topic: string, work: () => Promise<void> | void): void {
    const previous = this.queues.get(topic) ?? Promise.resolve();
    const next = previous
      .then(work)
      .catch((error: unknown) => this.log.error("channel handler failed", { topic, error: String(error) }));
    this.queues.set(topic, next);
    void next.then(() => {
      if (this.queues.get(topic) === next) this.queues.delete(topic);
    });
  }

  private async dispatch(message: PhoenixMessage): Promise<void> {
    if (this.closed) return;
    switch (message.event) {
      case "phx_join":
        return this.onJoin(message);
      case "phx_leave":
        return this.onLeave(message);
      case "access_token":
        return this.onAccessToken(message);
      case "broadcast":
        return this.onJsonBroadcast(message);
      case "presence":
        if (this.channels.has(message.topic)) return this.reply(message, "error", { reason: ChannelReasons.presenceNotSupported });
        return this.reply(message, "error", { reason: ChannelReasons.unmatchedTopic });
      default:
        if (!this.channels.has(message.topic)) this.reply(message, "error", { reason: ChannelReasons.unmatchedTopic });
    }
  }

  // ── join ────────────────────────────────────────────────────────────────────────────────────

  private async onJoin(message: PhoenixMessage): Promise<void> {
    const refuse = (reason: string, code: string) => {
      this.log.info("join refused", { topic: message.topic, code });
      this.reply(message, "error", { reason });
    };
    if (!message.topic.startsWith(TOPIC_PREFIX)) return refuse(ChannelReasons.unmatchedTopic, "unmatched_topic");
    const subTopic = message.topic.slice(TOPIC_PREFIX.length);
    if (subTopic === "") return refuse(ChannelReasons.topicNameRequired, "topic_name_required");
    const parsed = parseJoinPayload(message.payload);
    if (!parsed.ok) return refuse(ChannelReasons.malformedJoin(parsed.message), "malformed_join");
    const config = parsed.config;

    // A second join of the same topic replaces the first (Phoenix closes the old channel).
    const existing = this.channels.get(message.topic);
    if (existing) {
      this.dropChannel(existing);
      this.push(existing, "phx_close", {}, existing.joinRef);
    }
    if (config.presenceEnabled) return refuse(ChannelReasons.presenceNotSupported, "presence_not_supported");
    if (config.postgresChangesCount > 0) return refuse(ChannelReasons.postgresChangesNotSupported, "postgres_changes_not_supported");
    if (config.replayRequested) return refuse(ChannelReasons.replayNotSupported, "replay_not_supported");
    // Joins of different topics run concurrently: count the ones still being checked too.
    if (this.channels.size + this.pendingJoins >= this.options.limits.maxChannels) {
      return refuse(ChannelReasons.tooManyChannels, "too_many_channels");
    }
    this.pendingJoins++;
    try {
      await this.completeJoin(message, subTopic, config, refuse);
    } finally {
      this.pendingJoins--;
    }
  }

  private async completeJoin(message: PhoenixMessage, subTopic: string, config: JoinConfig, refuse: (reason: string, code: string) => void): Promise<void> {
    const token = config.accessToken && !isOpaqueApiKey(config.accessToken) ? config.accessToken : this.options.connectToken;
    const jwt = await checkRealtimeJwt(this.options.jwtSecret, token, this.now);
    if (!jwt.ok) return refuse(ChannelReasons.invalidJwt(jwt.message), jwt.code);

    if (config.private) {
      const read = await this.checkRead(subTopic, jwt.claims);
      if (read !== true) {
        return read === false
          ? refuse(ChannelReasons.unauthorizedRead(subTopic), "unauthorized")
          : refuse(ChannelReasons.rlsPolicyError(read.error), "rls_policy_error");
      }
    }
    if (this.closed) return;

    const channel: JoinedChannel = new JoinedChannel(message.topic, subTopic, message.joinRef, config, jwt.claims, (b) => this.deliver(b));
    this.channels.set(message.topic, channel);
    this.options.registry.add(subTopic, config.private, channel);
    channel.armExpiry(this.now(), () => this.expire(channel));
    this.reply(message, "ok", { postgres_changes: [] });
  }

  private async checkRead(subTopic: string, claims: RealtimeClaims): Promise<boolean | { error: string }> {
    try {
      return await this.options.authorizer.canRead({ subTopic, claims, headers: this.options.headers });
    } catch (error) {
      this.log.warn("read authorization failed", { topic: subTopic, error: error instanceof Error ? error.message : String(error) });
      return { error: error instanceof Error ? error.message : "authorization check failed" };
    }
  }

  // ── leave, token refresh, expiry ──────────────────────────────────────────────────────────

  private onLeave(message: PhoenixMessage): void {
    const channel = this.channels.get(message.topic);
    if (channel) this.dropChannel(channel);
    this.reply(message, "ok", {});
    this.send(encodeMessage(this.options.vsn, { joinRef: message.joinRef, ref: message.joinRef, topic: message.topic, event: "phx_close", payload: {} }), false);
  }

  private async onAccessToken(message: PhoenixMessage): Promise<void> {
    const channel = this.channels.get(message.topic);
    const token = parseAccessTokenPayload(message.payload);
    if (!channel || !token || isOpaqueApiKey(token)) return;
    const jwt = await checkRealtimeJwt(this.options.jwtSecret, token, this.now);
    if (this.channels.get(message.topic) !== channel) return;
    if (!jwt.ok) return this.shutDownChannel(channel, jwt.message, jwt.code);
    if (channel.isPrivate) {
      const read = await this.checkRead(channel.subTopic, jwt.claims);
      if (this.channels.get(message.topic) !== channel) return;
      if (read !== true) {
        return this.shutDownChannel(channel, read === false ? SystemMessages.readRevoked(channel.subTopic) : ChannelReasons.rlsPolicyError(read.error), "read_revoked");
      }
    }
    channel.claims = jwt.claims;
    channel.writeDecision = undefined;
    channel.armExpiry(this.now(), () => this.expire(channel));
  }

  private expire(channel: JoinedChannel): void {
    if (this.channels.get(channel.topic) !== channel) return;
    this.shutDownChannel(channel, SystemMessages.tokenExpired, "token_expired");
  }

  /** A `system` error then `phx_close`: how Realtime ends a channel that may no longer run. */
  private shutDownChannel(channel: JoinedChannel, text: string, code: string): void {
    this.log.info("closing channel", { topic: channel.topic, code });
    this.dropChannel(channel);
    this.push(channel, "system", { extension: "system", status: "error", message: text, channel: channel.subTopic }, null);
    this.push(channel, "phx_close", {}, channel.joinRef);
  }

  private dropChannel(channel: JoinedChannel): void {
    channel.clearExpiry();
    if (this.channels.get(channel.topic) === channel) this.channels.delete(channel.topic);
    this.options.registry.remove(channel.subTopic, channel.isPrivate, channel);
  }

  // ── broadcast from this client ─────────────────────────────────────────────────────────────

  private onJsonBroadcast(message: PhoenixMessage): Promise<void> | void {
    const push = parseBroadcastPush(message.payload);
    if (!push) return this.reply(message, "error", { reason: "MalformedBroadcast: a broadcast needs a string event" });
    const text = JSON.stringify(push.payload) ?? "{}";
    return this.onUserBroadcast(
      { joinRef: message.joinRef, ref: message.ref, topic: message.topic, userEvent: push.event, body: { kind: "json", text } },
      false,
    );
  }

  private async onUserBroadcast(push: UserBroadcastPush, fromBinaryFrame: boolean): Promise<void> {
    if (this.closed) return;
    const message: PhoenixMessage = { joinRef: push.joinRef, ref: push.ref, topic: push.topic, event: "broadcast", payload: null };
    const channel = this.channels.get(push.topic);
    if (!channel) return this.reply(message, "error", { reason: ChannelReasons.unmatchedTopic });
    const limit = this.options.limits.maxBroadcastBytes;
    if (bodySize(push.body) > limit) return this.reply(message, "error", { reason: ChannelReasons.payloadTooLarge(limit) });
    if (channel.isPrivate && !(await this.canWrite(channel))) return; // denied: dropped silently, no ack (as Realtime)
    if (this.channels.get(push.topic) !== channel) return;
    const broadcast = new OutgoingBroadcast(push.topic, push.userEvent, push.body, undefined, fromBinaryFrame);
    this.options.registry.fanout(channel.subTopic, channel.isPrivate, broadcast, channel.config.self ? undefined : channel);
    if (channel.config.ack && push.ref !== null) this.reply(message, "ok", {});
  }

  private canWrite(channel: JoinedChannel): Promise<boolean> {
    if (!channel.writeDecision) {
      channel.writeDecision = this.options.authorizer
        .canWrite({ subTopic: channel.subTopic, claims: channel.claims, headers: this.options.headers })
        .catch((error: unknown) => {
          this.log.warn("write authorization failed", { topic: channel.subTopic, error: error instanceof Error ? error.message : String(error) });
          channel.writeDecision = undefined; // an error is not a decision: ask again next time
          return false;
        });
    }
    return channel.writeDecision;
  }

  // ── outgoing ───────────────────────────────────────────────────────────────────────────────

  private deliver(broadcast: OutgoingBroadcast): void {
    const frame = broadcast.frameFor(this.options.vsn);
    if (!frame) {
      this.undeliverable++;
      return;
    }
    this.send(frame.data, frame.binary);
  }

  private reply(message: PhoenixMessage, status: "ok" | "error", response: Record<string, unknown>): void {
    const payload = { status, response };
    this.send(encodeMessage(this.options.vsn, { joinRef: message.joinRef, ref: message.ref, topic: message.topic, event: "phx_reply", payload }), false);
  }

  private push(channel: JoinedChannel, event: string, payload: Record<string, unknown>, ref: string | null): void {
    this.send(encodeMessage(this.options.vsn, { joinRef: channel.joinRef, ref, topic: channel.topic, event, payload }), false);
  }

  private send(data: Buffer | string, binary: boolean): void {
    if (this.closed) return;
    const buffered = this.transport.bufferedAmount();
    if (buffered > this.options.limits.maxBufferedBytes) {
      this.log.warn("slow consumer: send buffer full", { buffered, limit: this.options.limits.maxBufferedBytes });
      this.terminate("slow_consumer");
      return;
    }
    this.transport.send(data, binary);
  }
}

function bodySize(body: BroadcastBody): number {
  return body.kind === "json" ? Buffer.byteLength(body.text, "utf8") : body.bytes.byteLength;
}
