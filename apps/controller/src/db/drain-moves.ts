/** One VM's move in a `migrate` drain (issue 15). */
export type DrainMoveRecord = {
  state: 'waiting' | 'moving' | 'moved' | 'failed' | 'cancelled';
  /** The migration's saga, once started. */
  sagaId?: string;
  /** Why it failed, or why no host could take it. */
  error?: string;
};
