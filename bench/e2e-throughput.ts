import type { Envelope } from "../tests/support/agent-client.ts";
import { connectAgents, deployTarget, prepareRequests, sendRequests, type Sent } from "./bench-agents.ts";
import { numberOption, type Bench } from "./bench-types.ts";
import { sleep } from "./stats.ts";

/**
 * e2e-throughput: 10 agents keep `window` requests each in flight (closed loop: a reply frees a slot,
 * free slots are filled with one multi-row insert) for `seconds`. Reports the sustained rate and a
 * loss check: every request answered exactly once, only to its sender — a violation fails the run.
 */
export const e2eThroughput: Bench = {
  name: "e2e-throughput",
  description: "10 agents, closed loop: sustained requests/s with zero loss",
  async run({ stack, options, log }) {
    const seconds = numberOption(options, "seconds", 60);
    const agentCount = numberOption(options, "agents", 10);
    const windowSize = numberOption(options, "window", 40);
    const agents = await connectAgents(stack, agentCount, "tp");
    try {
      const target = await deployTarget(agents[0]!, "cust_throughput");
      const outstanding = new Map<string, Sent & { agent: string }>();
      const replies = new Map<string, number>();
      let misdelivered = 0;
      let answeredInWindow = 0;
      let stopping = false;
      const started = performance.now();
      const end = started + seconds * 1000;
      const wakeups = new Map<string, () => void>();

      for (const agent of agents) {
        agent.onMessage((m: Envelope) => {
          if (m.in_reply_to === null) return;
          const n = (replies.get(m.conversation_id) ?? 0) + 1;
          replies.set(m.conversation_id, n);
          const s = outstanding.get(m.conversation_id);
          if (!s) return;
          if (s.agent !== agent.id) misdelivered++;
          outstanding.delete(m.conversation_id);
          if (performance.now() <= end) answeredInWindow++;
          wakeups.get(agent.id)?.();
        });
      }

      const sent: string[] = [];
      log(`e2e-throughput: ${agentCount} agents × window ${windowSize} for ${seconds}s`);
      await Promise.all(agents.map(async (agent) => {
        let mine = 0;
        const freed = () => new Promise<void>((resolve) => wakeups.set(agent.id, resolve));
        while (!stopping && performance.now() < end) {
          const free = windowSize - mine;
          if (free > 0) {
            const batch = prepareRequests(free);
            for (const s of batch) { outstanding.set(s.conversation, { ...s, agent: agent.id }); sent.push(s.conversation); }
            mine += free;
            await sendRequests(agent, target, batch);
          }
          await Promise.race([freed(), sleep(200)]);
          mine = [...outstanding.values()].filter((s) => s.agent === agent.id).length;
        }
      }));
      stopping = true;
      const elapsed = (Math.min(performance.now(), end) - started) / 1000;
      const drainDeadline = performance.now() + 20_000;
      while (outstanding.size > 0 && performance.now() < drainDeadline) await sleep(100);
      const lost = outstanding.size;
      const duplicated = [...replies.values()].reduce((a, n) => a + Math.max(0, n - 1), 0);
      const rate = Math.round((answeredInWindow / elapsed) * 10) / 10;
      return {
        ok: lost === 0 && duplicated === 0 && misdelivered === 0,
        params: { agents: agentCount, window_per_agent: windowSize, seconds, intent: "get_address" },
        metrics: { requests_per_s: rate, sent: sent.length, lost, duplicated, misdelivered },
        table: [
          ["metric", "value", "target"],
          ["sustained requests/s", String(rate), "≥ 500 (goal 1,000)"],
          ["requests sent", String(sent.length), ""],
          ["lost", String(lost), "0"],
          ["duplicated replies", String(duplicated), "0"],
          ["replies to the wrong agent", String(misdelivered), "0"],
        ],
      };
    } finally {
      await Promise.all(agents.map((a) => a.close()));
    }
  },
};
