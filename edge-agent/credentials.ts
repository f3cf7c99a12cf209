/**
 * The device credential: where it comes from, when it is renewed, where it is kept.
 *
 * Sources, in order: the credential file (written after an exchange or renewal), the configured device
 * token, the configured enrollment token (exchanged once with `device_token_exchange`, the result saved).
 * Renewal: once half of the credential's lifetime (from when the agent received it to `expires_at`) has
 * passed, `device_token_renew` replaces it; if renewing fails the current credential is used until it
 * expires. A credential the orchestrator refuses is dropped (`invalidate`), so the next source is tried.
 */
import { deviceCredentialSchema, deviceRpcNames, type DeviceCredential } from "../functions/_shared/edge/device-api.ts";
import { z } from "zod";
import type { Clock } from "./clock.ts";
import { AgentError, isAgentError } from "./errors.ts";
import type { Logger } from "../functions/_shared/log.ts";
import type { RpcClient } from "./rpc-client.ts";

export const storedCredentialSchema = deviceCredentialSchema.extend({
  /** When the agent received it (ISO 8601): the start of its lifetime as the agent measures it. */
  received_at: z.iso.datetime({ offset: true }),
});
export type StoredCredential = z.infer<typeof storedCredentialSchema>;

/** Persistence of the credential (a file with mode 0600 in `main.ts`). */
export interface CredentialStore {
  /** The stored JSON, or undefined when there is none. */
  load(): Promise<unknown>;
  save(credential: StoredCredential): Promise<void>;
}

export interface CredentialManagerOptions {
  rpc: RpcClient;
  store: CredentialStore;
  clock: Clock;
  log: Logger;
  deviceToken?: string | undefined;
  enrollmentToken?: string | undefined;
}

export class CredentialManager {
  private current: StoredCredential | undefined;
  private loaded = false;
  private readonly refused = new Set<string>();

  constructor(private readonly options: CredentialManagerOptions) {}

  /** The device id of the current credential, once there is one. */
  get deviceId(): string | undefined {
    return this.current?.device_id;
  }

  /** A usable device JWT: loads, enrolls or renews as needed. */
  async token(): Promise<string> {
    if (!this.loaded) await this.load();
    if (this.current === undefined) this.current = await this.acquire();
    const { clock } = this.options;
    const received = Date.parse(this.current.received_at);
    const expires = Date.parse(this.current.expires_at);
    if (clock.now() >= received + (expires - received) / 2) await this.renew();
    return this.current.token;
  }

  /** Drops a credential the orchestrator refused; the next `token()` tries the next source. */
  invalidate(token: string): void {
    this.refused.add(token);
    if (this.current?.token === token) this.current = undefined;
  }

  private async load(): Promise<void> {
    this.loaded = true;
    const stored = storedCredentialSchema.safeParse(await this.options.store.load());
    if (stored.success && Date.parse(stored.data.expires_at) > this.options.clock.now()) this.current = stored.data;
  }

  private async acquire(): Promise<StoredCredential> {
    const { deviceToken, enrollmentToken, rpc } = this.options;
    if (deviceToken !== undefined && !this.refused.has(deviceToken)) return this.received(credentialFromJwt(deviceToken));
    if (enrollmentToken !== undefined && !this.refused.has(enrollmentToken)) {
      try {
        const credential = await this.accept(await rpc.call(deviceRpcNames.tokenExchange, { enrollment_token: enrollmentToken }));
        this.options.log.info("enrolled", { device_id: credential.device_id, expires_at: credential.expires_at });
        return credential;
      } catch (error) {
        if (isAgentError(error, "credential_refused")) this.refused.add(enrollmentToken);
        throw error;
      }
    }
    throw new AgentError("not_enrolled", "no usable device credential and no unused enrollment token: give the agent a new enrollment token");
  }

  private async renew(): Promise<void> {
    const current = this.current!;
    try {
      this.current = await this.accept(await this.options.rpc.call(deviceRpcNames.tokenRenew, {}, current.token));
      this.options.log.info("credential renewed", { device_id: current.device_id, expires_at: this.current.expires_at });
    } catch (error) {
      if (isAgentError(error, "credential_refused")) {
        this.invalidate(current.token);
        throw error;
      }
      if (Date.parse(current.expires_at) <= this.options.clock.now()) throw error;
      this.options.log.warn("credential renewal failed; using the current one until it expires", { code: isAgentError(error) ? error.code : "unknown" });
    }
  }

  private async accept(result: unknown): Promise<StoredCredential> {
    const parsed = deviceCredentialSchema.safeParse(result);
    if (!parsed.success) throw new AgentError("invalid_response", "the orchestrator answered a malformed device credential");
    const credential = this.received(parsed.data);
    await this.options.store.save(credential);
    return credential;
  }

  private received(credential: DeviceCredential): StoredCredential {
    return { ...credential, received_at: new Date(this.options.clock.now()).toISOString() };
  }
}

/** Reads `device_id` and `exp` from a JWT's payload (not verified: the orchestrator verifies it). */
export function credentialFromJwt(token: string): DeviceCredential {
  const payload = token.split(".")[1];
  const claims = z.object({ device_id: z.uuid(), exp: z.number().int() }).safeParse(payload === undefined ? undefined : decodeJson(payload));
  if (!claims.success) throw new AgentError("invalid_config", "the device token is not a JWT with device_id and exp claims");
  return { device_id: claims.data.device_id, token, expires_at: new Date(claims.data.exp * 1000).toISOString() };
}

function decodeJson(base64url: string): unknown {
  try {
    const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(base64url.length / 4) * 4, "=");
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
}
