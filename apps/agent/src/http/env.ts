import type { AgentRole } from '@apiary/protocol';

/** Per-request values set by the agent's middleware. */
export type AgentEnv = {
  Variables: {
    requestId: string;
    /** The authenticated key, once auth ran. */
    principal: { keyId: string; role: AgentRole } | null;
  };
};
