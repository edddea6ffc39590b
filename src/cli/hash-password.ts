// `hash-password`: reads a password from stdin (first line) and prints its scrypt hash for
// `extensions.api.auth.basic` (users[].password_hash or a users_file line `name:<hash>`).
// From stdin, not an argument, so the password stays out of shell history and `ps`.
import { hashPassword } from '../security/password.js';
import type { Command } from './command.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export const hashPasswordCommand: Command = {
  summary: 'print the scrypt hash of a password read from stdin (for api auth.basic)',
  usage: "printf '%s' 'the password' | otel-profile-bridge hash-password",
  help: `Usage: printf '%s' 'the password' | otel-profile-bridge hash-password

Reads a password from the first line of stdin and prints its scrypt hash, to paste into
extensions.api.auth.basic (users[].password_hash) or a users_file line \`name:<hash>\`.
The password is read from stdin, not an argument, so it stays out of shell history and ps.

Options:
  -h, --help    Show this help.
`,
  async run() {
    const password = (await readStdin()).split(/\r?\n/)[0] ?? '';
    if (password === '') {
      process.stderr.write('otel-profile-bridge hash-password: no password on stdin\n');
      return 1;
    }
    process.stdout.write(`${await hashPassword(password)}\n`);
    return 0;
  },
};
