/** Per-request values set by the agent's middleware. */
export type AgentEnv = {
  Variables: {
    requestId: string;
  };
};
