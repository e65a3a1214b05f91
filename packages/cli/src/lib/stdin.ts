/** Reads a secret from stdin (one line, trimmed), so it never appears on a command line. */
export async function readSecretFromStdin(
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.from(chunk as Buffer));
  const value = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0]?.trim() ?? '';
  if (!value) throw new Error('nothing on standard input');
  return value;
}
