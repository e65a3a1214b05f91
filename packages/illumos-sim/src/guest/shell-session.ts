import type { ServerChannel } from 'ssh2';
import { runShellLine, type ShellContext } from './guest-shell.js';

/**
 * An interactive session of the guest's minimal shell on an SSH channel. With a pty the guest
 * side does the terminal's work (echo, erase, CR to newline, `\r\n` line ends) and prints a
 * prompt as ash does (`host:~# `); without one it reads lines silently, like `sh < script`.
 */
export class ShellSession {
  private line = '';
  private status = 0;

  constructor(
    private readonly channel: ServerChannel,
    private readonly ctx: ShellContext,
    private readonly pty: boolean,
  ) {}

  start(): void {
    this.prompt();
    this.channel.on('data', (data: Buffer) => {
      for (const ch of data.toString('utf8')) this.input(ch);
    });
    this.channel.on('end', () => this.finish(this.status));
  }

  private write(text: string): void {
    this.channel.write(this.pty ? text.replace(/\r?\n/g, '\r\n') : text);
  }

  private prompt(): void {
    if (this.pty) this.write(`${this.ctx.hostname}:~# `);
  }

  private input(ch: string): void {
    if (ch === '\r' || ch === '\n') {
      if (this.pty) this.write('\n');
      this.runLine();
      return;
    }
    if (ch === '\x04' && this.line === '') {
      this.finish(this.status);
      return;
    }
    if (ch === '\x7f' || ch === '\b') {
      if (this.line.length > 0) {
        this.line = this.line.slice(0, -1);
        if (this.pty) this.write('\b \b');
      }
      return;
    }
    if (ch === '\x03') {
      this.line = '';
      if (this.pty) this.write('^C\n');
      this.prompt();
      return;
    }
    if (ch < ' ') return;
    this.line += ch;
    if (this.pty) this.write(ch);
  }

  private runLine(): void {
    const result = runShellLine(this.line, this.ctx, this.status);
    this.line = '';
    this.write(result.stdout);
    if (this.pty) this.write(result.stderr);
    else this.channel.stderr.write(result.stderr);
    this.status = result.status;
    if (result.exit !== undefined) this.finish(result.exit);
    else this.prompt();
  }

  private finish(code: number): void {
    if (this.channel.destroyed) return;
    this.channel.exit(code);
    this.channel.end();
  }
}
