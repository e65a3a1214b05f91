import { isIP, type LookupFunction } from 'node:net';

/**
 * A DNS lookup that answers only `addresses`, the ones `checkAgentTarget` resolved and checked,
 * whatever the URL's host name resolves to by the time the connection is made (no rebinding
 * between the check and the connect). The URL keeps its name, so the Host header and the
 * certificate check still use it.
 */
export function pinnedLookup(addresses: string[]): LookupFunction {
  const pinned = addresses.map((address) => ({ address, family: isIP(address) }));
  return (_hostname, options, callback) => {
    if (options.all) return callback(null, pinned);
    const first = pinned[0];
    if (!first) return callback(new Error('no address to connect to'), '', 0);
    callback(null, first.address, first.family);
  };
}
