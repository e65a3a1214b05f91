/**
 * A status line on a terminal while the controller works on a request that answers when done
 * (a box pull, a URL fetch: the download and conversion happen on the controller): what is
 * happening and for how long. Nothing when stderr is not a terminal or the output is JSON.
 */
export async function withWaitLine<T>(
  stderr: NodeJS.WriteStream,
  enabled: boolean,
  what: string,
  work: () => Promise<T>,
): Promise<T> {
  if (!enabled || !stderr.isTTY) return work();
  const started = Date.now();
  const frames = ['|', '/', '-', '\\'];
  let i = 0;
  const draw = () => {
    const seconds = Math.floor((Date.now() - started) / 1000);
    stderr.write(`\r${frames[i++ % frames.length]} ${what} (${seconds}s)`);
  };
  draw();
  const timer = setInterval(draw, 250);
  try {
    return await work();
  } finally {
    clearInterval(timer);
    stderr.write('\r\x1b[K');
  }
}
