// Reads a basic-auth users file: `name:scrypt$N$r$p$salt$hash` a line, `#` comments, blank
// lines ignored. Errors name the file and line, so the config error says what to fix.
import { readFileSync } from 'node:fs';
import { ConfigError, errorMessage } from '../../errors.js';
import { parsePasswordHash, type PasswordHash } from '../../security/password.js';

export function parseUsersText(text: string, where: string): Map<string, PasswordHash> {
  const users = new Map<string, PasswordHash>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!name || /\s/.test(name)) throw new ConfigError(`${where}:${i + 1}: expected name:scrypt$... (the line is not a user entry)`);
    const h = parsePasswordHash(line.slice(colon + 1));
    if (typeof h === 'string') throw new ConfigError(`${where}:${i + 1}: user "${name}": ${h}`);
    users.set(name, h);
  });
  return users;
}

export function readUsersFile(file: string, where: string): Map<string, PasswordHash> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`${where}: cannot read users_file ${file}: ${errorMessage(e)}`);
  }
  return parseUsersText(text, file);
}
