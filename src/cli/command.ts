// What a sub-command is: the list in commands.ts and each command's own file import this,
// so no command file imports the list that imports it.
export interface Command {
  summary: string;
  usage: string;
  /** The full help: usage, every option with its default and meaning, examples. */
  help: string;
  run(argv: string[]): Promise<number>;
}
