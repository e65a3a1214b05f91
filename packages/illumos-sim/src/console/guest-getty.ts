/**
 * The guest side of a console: what a freshly booted OmniOS guest's ttya shows. It prints a
 * login prompt, echoes what is typed, asks for a password (not echoed) and refuses every
 * login, like a getty with no accounts the simulator knows.
 */
export class GuestGetty {
  private mode: 'off' | 'login' | 'password' = 'off';
  private line = '';

  constructor(
    private readonly zone: string,
    private readonly write: (text: string) => void,
  ) {}

  start(): void {
    this.mode = 'login';
    this.line = '';
    this.write(`\r\n\r\nOmniOS r151054 ${this.zone} ttya\r\n\r\n${this.zone} console login: `);
  }

  stop(): void {
    this.mode = 'off';
  }

  input(ch: string): void {
    if (this.mode === 'off') return;
    if (ch === '\r' || ch === '\n') {
      if (this.mode === 'login') {
        if (this.line === '') this.write(`\r\n${this.zone} console login: `);
        else {
          this.mode = 'password';
          this.write('\r\nPassword: ');
        }
      } else {
        this.mode = 'login';
        this.write(`\r\nLogin incorrect\r\n${this.zone} console login: `);
      }
      this.line = '';
      return;
    }
    if (ch === '\x7f' || ch === '\b') {
      if (this.line.length > 0) {
        this.line = this.line.slice(0, -1);
        if (this.mode === 'login') this.write('\b \b');
      }
      return;
    }
    if (ch === '\x03' || ch === '\x15') {
      this.line = '';
      if (this.mode === 'login') this.write(`\r\n${this.zone} console login: `);
      return;
    }
    if (ch < ' ') return;
    this.line += ch;
    if (this.mode === 'login') this.write(ch);
  }
}
