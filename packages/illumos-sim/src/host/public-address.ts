import { updateState } from '../core/state-store.js';

/**
 * A simulated host's public address: a loopback address of the Linux machine (127.0.0.2,
 * 127.0.0.3, ... one per host; Linux routes all of 127.0.0.0/8 to `lo`, so binding needs no
 * setup). The host's console daemon listens there for each active `rdr` forward of a running
 * zone and hands the connection to the simulated guest. It has no illumos counterpart: on a
 * real host the public address is simply the address of the link the rdr rule names.
 * Only loopback addresses are accepted, so a dev fleet's guests are never reachable from
 * another machine.
 */
export function checkPublicAddress(address: string): string {
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (!m || m.slice(1).some((octet) => Number(octet) > 255 || /^0\d/.test(octet)))
    throw new Error(`invalid public address: ${address} (a loopback address, 127.x.y.z)`);
  return address;
}

/** Sets (or with undefined clears) the public address of an existing simulated host. */
export async function setPublicAddress(root: string, address: string | undefined): Promise<void> {
  const value = address === undefined ? undefined : checkPublicAddress(address);
  await updateState(root, (state) => {
    if (value === undefined) delete state.publicAddress;
    else state.publicAddress = value;
  });
}
