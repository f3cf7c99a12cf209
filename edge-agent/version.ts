/** The agent's version, sent with every heartbeat and report. */
export const AGENT_VERSION = "0.1.0";
