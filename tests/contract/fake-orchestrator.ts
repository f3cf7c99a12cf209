/**
 * An in-process stand-in for the orchestrator's device RPCs (a Web-standard `Request → Response` handler),
 * speaking exactly the contract in `functions/_shared/edge/device-api.ts`: token exchange and renewal,
 * desired state, reports (validated against the shared schema), heartbeats. It can go offline (503).
 */
import { deviceCredentialSchema, deviceRpcNames, heartbeatArgsSchema, reportArgsSchema, tokenExchangeArgsSchema } from "../../functions/_shared/edge/device-api.ts";
import { desiredStateSchema, type DesiredContainer, type DesiredState } from "../../functions/_shared/edge/desired-state.ts";
import type { DeviceReport } from "../../functions/_shared/edge/device-report.ts";

export const FAKE_ORCHESTRATOR_URL = "http://orchestrator.test";

interface Waiter {
  predicate: (report: DeviceReport) => boolean;
  resolve: (report: DeviceReport) => void;
}

export class FakeOrchestrator {
  desired: DesiredState;
  readonly reports: DeviceReport[] = [];
  readonly calls: string[] = [];
  /** Requests answered 4xx because they broke the contract (a test expects none). */
  readonly rejected: string[] = [];
  offline = false;
  private tokens = 0;
  private validTokens = new Set<string>();
  private enrollmentUsed = false;
  private waiters: Waiter[] = [];

  constructor(readonly deviceId: string, readonly enrollmentToken: string) {
    this.desired = desiredStateSchema.parse({ device_id: deviceId, generation: 0, containers: [] });
  }

  /** Replaces the desired containers and bumps the generation. */
  setContainers(containers: DesiredContainer[]): void {
    this.desired = desiredStateSchema.parse({ device_id: this.deviceId, generation: this.desired.generation + 1, containers });
  }

  /** Resolves with the first report (already received or future) that matches. */
  waitForReport(predicate: (report: DeviceReport) => boolean): Promise<DeviceReport> {
    const found = this.reports.find(predicate);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve) => this.waiters.push({ predicate, resolve }));
  }

  /** Resolves once `count` more calls have reached the orchestrator (answered or refused). */
  waitForCalls(count: number): Promise<void> {
    const target = this.calls.length + count;
    return new Promise((resolve) => {
      const check = () => (this.calls.length >= target ? resolve() : this.callWaiters.push(check));
      check();
    });
  }
  private callWaiters: (() => void)[] = [];

  readonly fetch = async (input: string, init: RequestInit): Promise<Response> => this.handle(new Request(input, init));

  async handle(request: Request): Promise<Response> {
    const name = new URL(request.url).pathname.replace("/rest/v1/rpc/", "");
    this.calls.push(name);
    for (const waiter of this.callWaiters.splice(0)) waiter();
    if (this.offline) return Response.json({ message: "service unavailable" }, { status: 503 });
    if (request.method !== "POST" || request.headers.get("apikey") !== "anon-key") return this.reject(name, 401, "missing apikey");
    const body = await request.json();
    const bearer = request.headers.get("authorization")?.replace(/^Bearer /, "") ?? "";

    if (name === deviceRpcNames.tokenExchange) {
      const args = tokenExchangeArgsSchema.safeParse(body);
      if (!args.success || args.data.enrollment_token !== this.enrollmentToken || this.enrollmentUsed) return this.reject(name, 403, "enrollment token refused");
      this.enrollmentUsed = true;
      return Response.json(this.issue());
    }
    if (!this.validTokens.has(bearer)) return this.reject(name, 401, "JWT invalid");
    switch (name) {
      case deviceRpcNames.tokenRenew:
        this.validTokens.delete(bearer);
        return Response.json(this.issue());
      case deviceRpcNames.desiredState:
        return Response.json(this.desired);
      case deviceRpcNames.heartbeat:
        return heartbeatArgsSchema.safeParse(body).success ? Response.json({ desired_generation: this.desired.generation }) : this.reject(name, 400, "bad heartbeat");
      case deviceRpcNames.report: {
        const args = reportArgsSchema.safeParse(body);
        if (!args.success) return this.reject(name, 400, args.error.message);
        this.reports.push(args.data.report);
        this.waiters = this.waiters.filter((waiter) => !(waiter.predicate(args.data.report) && (waiter.resolve(args.data.report), true)));
        return new Response(null, { status: 204 });
      }
      default:
        return this.reject(name, 404, "no such function");
    }
  }

  private issue() {
    const token = `device-jwt-${++this.tokens}`;
    this.validTokens.add(token);
    return deviceCredentialSchema.parse({ device_id: this.deviceId, token, expires_at: new Date(Date.now() + 3600_000).toISOString() });
  }

  private reject(name: string, status: number, message: string): Response {
    this.rejected.push(`${name}: ${message}`);
    return Response.json({ message }, { status });
  }
}
