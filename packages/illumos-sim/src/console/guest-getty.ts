import type { GuestAccount } from '../guest/guest-accounts.js';
import { runShellLine, type ShellContext } from '../guest/guest-shell.js';

/** Who is on the other side of the console, read when someone logs in. */
export interface ConsoleGuest {
  accounts: GuestAccount[];
  shell: ShellContext;
}

/**
 * The guest side of a console: what a freshly booted OmniOS guest's ttya shows. ttymon prints
 * the `<node> console login: ` prompt and echoes the name; login(1) asks `Password: ` without
 * echo and answers a wrong pair with `Login incorrect` and a new prompt (illumos
 * usr/src/cmd/login/login.c; util-linux login(1) does the same). An account of the guest's
 * disk (guest-accounts.ts) gets the message of the day and a shell prompt (`user@node:~# `,
 * `$ ` for others, as OmniOS's bash; `node:~# ` on an Alpine guest, as ash): the terminal
 * work is the guest's (echo, erase, CR to CRLF), the commands are the guest's minimal shell
 * (guest-shell.ts), and `exit` or ^D on an empty line logs out to a new login prompt.
 */
export class GuestGetty {
  private mode: 'off' | 'login' | 'password' | 'shell' = 'off';
  private line = '';
  private user = '';
  private shell: ShellContext | undefined;
  private status = 0;

  constructor(
    private readonly zone: string,
    private readonly write: (text: string) => void,
    private readonly guest: () => ConsoleGuest,
  ) {}

  start(): void {
    this.mode = 'login';
    this.line = '';
    this.write(`\r\n\r\nOmniOS r151054 ${this.zone} ttya\r\n\r\n${this.loginPrompt()}`);
  }

  stop(): void {
    this.mode = 'off';
    this.shell = undefined;
  }

  private loginPrompt(): string {
    return `${this.zone} console login: `;
  }

  input(ch: string): void {
    if (this.mode === 'off') return;
    if (ch === '\r' || ch === '\n') {
      this.enter();
      return;
    }
    if (ch === '\x04' && this.mode === 'shell' && this.line === '') {
      this.write('\r\n');
      this.logout();
      return;
    }
    if (ch === '\x7f' || ch === '\b') {
      if (this.line.length > 0) {
        this.line = this.line.slice(0, -1);
        if (this.echoes()) this.write('\b \b');
      }
      return;
    }
    if (ch === '\x03' || ch === '\x15') {
      this.line = '';
      if (this.mode === 'login') this.write(`\r\n${this.loginPrompt()}`);
      if (this.mode === 'shell') this.write(`^C\r\n${this.shellPrompt()}`);
      return;
    }
    if (ch < ' ') return;
    this.line += ch;
    if (this.echoes()) this.write(ch);
  }

  private echoes(): boolean {
    return this.mode === 'login' || this.mode === 'shell';
  }

  private enter(): void {
    const line = this.line;
    this.line = '';
    if (this.mode === 'login') {
      if (line === '') this.write(`\r\n${this.loginPrompt()}`);
      else {
        this.user = line;
        this.mode = 'password';
        this.write('\r\nPassword: ');
      }
      return;
    }
    if (this.mode === 'password') {
      this.checkPassword(line);
      return;
    }
    this.write('\r\n');
    const shell = this.shell!;
    const result = runShellLine(line, shell, this.status);
    this.status = result.status;
    this.write(crlf(result.stdout + result.stderr));
    if (result.exit !== undefined) {
      this.logout();
      return;
    }
    this.write(this.shellPrompt());
  }

  private checkPassword(password: string): void {
    const guest = this.guest();
    const ok = guest.accounts.some((a) => a.user === this.user && a.password === password);
    if (!ok) {
      this.mode = 'login';
      this.write(`\r\nLogin incorrect\r\n${this.loginPrompt()}`);
      return;
    }
    const root = this.user === 'root';
    // Only the superuser may set the node name (guest-shell.ts).
    this.shell = root ? guest.shell : { ...guest.shell, setHostname: undefined };
    this.status = 0;
    this.mode = 'shell';
    const os = guest.shell.os;
    const motd = os.sysname === 'SunOS' ? `OmniOS ${os.release} ${os.version}\r\n` : '';
    this.write(`\r\n${motd}${this.shellPrompt()}`);
  }

  private shellPrompt(): string {
    const shell = this.shell!;
    const sign = this.user === 'root' ? '#' : '$';
    if (shell.os.id === 'alpine') return `${shell.hostname}:~${sign} `;
    return `${this.user}@${shell.hostname}:~${sign} `;
  }

  private logout(): void {
    this.shell = undefined;
    this.mode = 'login';
    this.write(`\r\n${this.loginPrompt()}`);
  }
}

function crlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}
