#!/usr/bin/env node
// otel-profile-bridge [command] [options]; `serve` is the default command.
import { commands } from './commands.js';
import { packageVersion } from '../version.js';

function help(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}\n             ${c.usage}`);
  return `otel-profile-bridge ${packageVersion()}: OTLP profiles + traces in, span-linked pprof out.

Usage: otel-profile-bridge [command] [options]

Commands:
${lines.join('\n')}
  help       help <command> (or <command> --help): every option of a command, with its default

Options:
  --help       show this help
  --version    print the version
`;
}

function unknownCommand(name: string): number {
  process.stderr.write(`otel-profile-bridge: unknown command "${name}"\n\n${help()}`);
  return 2;
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === 'help') {
    const topic = rest[0];
    const cmd = topic === undefined ? undefined : commands[topic];
    if (topic !== undefined && !cmd) return unknownCommand(topic);
    process.stdout.write(cmd ? cmd.help : help());
    return 0;
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    const cmd = first !== undefined && !first.startsWith('-') ? commands[first] : undefined;
    if (first !== undefined && !first.startsWith('-') && !cmd) return unknownCommand(first);
    process.stdout.write(cmd ? cmd.help : help());
    return 0;
  }
  if (argv.includes('--version') || argv.includes('-v')) return commands.version!.run([]);
  if (first === undefined || first.startsWith('-')) return commands.serve!.run(argv);
  const cmd = commands[first];
  if (!cmd) return unknownCommand(first);
  try {
    return await cmd.run(rest);
  } catch (e) {
    process.stderr.write(`otel-profile-bridge ${first}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

// main() catches what the commands throw; anything else is a crash Node reports itself.
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
