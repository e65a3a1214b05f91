/**
 * `host:port` as given to `--listen` (`127.0.0.1:9100`, `[::1]:9100`, `0.0.0.0:9100`) split
 * into the hostname to bind and the port.
 */
export function splitHostPort(value: string): [string, number] {
  const i = value.lastIndexOf(':');
  return [value.slice(0, i).replace(/^\[|\]$/g, ''), Number(value.slice(i + 1))];
}
