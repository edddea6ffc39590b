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

Options:
  --help       show this help
  --version    print the version
`;
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h') || argv[0] === 'help') {
    process.stdout.write(help());
    return 0;
  }
  if (argv.includes('--version') || argv.includes('-v')) return commands.version!.run([]);
  const [first, ...rest] = argv;
  if (first === undefined || first.startsWith('-')) return commands.serve!.run(argv);
  const cmd = commands[first];
  if (!cmd) {
    process.stderr.write(`otel-profile-bridge: unknown command "${first}"\n\n${help()}`);
    return 2;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    process.stderr.write(`otel-profile-bridge ${first}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
