// What a sub-command is. Its own module, below the command list: each command implements
// it, and the list (commands.ts) imports each command.
export interface Command {
  summary: string;
  usage: string;
  /** The full help: usage, every option with its default and meaning, examples. */
  help: string;
  run(argv: string[]): Promise<number>;
}
