/** The simulated OmniOS host. Filled in by the simulator issue. */
export const SIM_VERSION = '0.1.0';
