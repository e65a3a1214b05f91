/** What a transcript keeps at most (its tail): enough for a login and a few commands. */
const MAX_CHARS = 64 * 1024;
/** What stands for a secret's value in a transcript. */
export const MASK = '********';

/**
 * A recipe run's console transcript: what the guest printed (its echo of typed lines included),
 * with every secret value masked before anything leaves it. Output comes in chunks that may
 * cut a secret in two, so masking runs over the whole text kept, never chunk by chunk; when the
 * head is dropped to stay bounded, the cut line goes too, so no part of a secret that straddled
 * the cut is left unmasked.
 */
export class Transcript {
  private raw = '';

  constructor(private readonly secrets: string[]) {}

  append(text: string): void {
    this.raw += text;
    if (this.raw.length > MAX_CHARS * 2) {
      const cut = this.raw.length - MAX_CHARS;
      const lineEnd = this.raw.indexOf('\n', cut);
      this.raw = lineEnd < 0 ? '' : this.raw.slice(lineEnd + 1);
    }
  }

  /** The transcript with secrets masked, CR LF as LF, other control characters dropped. */
  text(): string {
    let text = this.raw;
    // Longest first: a secret holding another is masked whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length))
      text = text.split(secret).join(MASK);
    return printable(text).slice(-MAX_CHARS);
  }

  /** The last `lines` lines, masked: what a failure message carries. */
  tail(lines = 10): string {
    return this.text().split('\n').slice(-lines).join('\n');
  }
}

function printable(text: string): string {
  return (
    text
      .replace(/\r+\n/g, '\n')
      .replace(/\r/g, '\n')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal control bytes go
      .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal control bytes go
      .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '')
  );
}
