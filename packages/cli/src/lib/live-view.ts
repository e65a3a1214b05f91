/*
 * A view that refreshes itself, as `top` does. On a terminal it redraws in place and quits on
 * `q` or Ctrl-C (the keyboard is read raw, so Ctrl-C arrives as a key, not a signal); when
 * stdout is not a terminal (a pipe, a file, a log) each refresh is printed after the last, and
 * SIGINT ends it between two refreshes.
 */

export interface LiveViewOptions {
  /** Time between two refreshes. */
  intervalMs: number;
  /** Stop after this many refreshes (like `top -n`); unbounded when absent. */
  count?: number;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
}

const CLEAR = '\x1b[H\x1b[2J';
const CTRL_C = '\u0003';

/**
 * Runs `render` every `intervalMs` until quit. A failing first refresh is thrown (nothing has
 * been shown yet: a bad key or an unreachable controller is an error); a later one is shown in
 * place of the table and the view keeps refreshing.
 */
export async function runLiveView(
  title: string,
  render: () => Promise<string>,
  o: LiveViewOptions,
): Promise<void> {
  const stdout = o.stdout ?? process.stdout;
  const stdin = o.stdin ?? process.stdin;
  const live = Boolean(stdout.isTTY);
  const keys = live && Boolean(stdin.isTTY);
  let stopped = false;
  let wake: (() => void) | undefined;
  const quit = () => {
    stopped = true;
    wake?.();
  };
  const onKey = (data: Buffer | string) => {
    const text = data.toString();
    if (text.includes('q') || text.includes('Q') || text.includes(CTRL_C)) quit();
  };
  if (keys) {
    stdin.setRawMode(true);
    stdin.on('data', onKey);
    stdin.resume();
  }
  process.on('SIGINT', quit);
  try {
    for (let n = 1; !stopped; n++) {
      let body: string;
      try {
        body = await render();
      } catch (error) {
        if (n === 1) throw error;
        body = `refresh failed: ${(error as Error).message}`;
      }
      if (stopped) break;
      const head = `${title}  ${new Date().toISOString().slice(11, 19)}  (every ${o.intervalMs / 1000}s${keys ? ', q to quit' : ''})`;
      stdout.write(live ? `${CLEAR}${head}\n\n${body}\n` : `${head}\n${body}\n\n`);
      if (o.count !== undefined && n >= o.count) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, o.intervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    process.removeListener('SIGINT', quit);
    if (keys) {
      stdin.removeListener('data', onKey);
      stdin.setRawMode(false);
      stdin.pause();
    }
  }
}
