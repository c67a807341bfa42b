// Command-line usage errors (unknown command or option, missing argument, too many arguments, ...) as one line on
// stderr and exit code 2, with the closest known command or option. Help that is asked for, or shown because a
// command group was given no verb (`tbps`, `tbps campaign`), goes to stdout with exit code 0.
import type { Command, CommanderError } from 'commander';
import { EXIT_BAD_INPUT } from './exit.js';

/** Installs the handling on a command and every subcommand registered so far (call after registering them all). */
export function installUsageErrors(program: Command): void {
  const visit = (command: Command) => {
    handleUsageErrors(command);
    command.commands.forEach(visit);
  };
  visit(program);
}

function handleUsageErrors(command: Command): void {
  let helpText = '';
  command.configureOutput({
    // commander writes help meant for errors here; it is kept and printed to stdout only when it is the answer
    writeErr: (text) => {
      helpText += text;
    },
    outputError: () => {},
  });
  command.exitOverride((err) => {
    if (err.exitCode === 0) process.exit(0);
    if (err.code === 'commander.help') {
      const helpOf = helpTarget(command);
      if (helpOf === undefined) {
        process.stdout.write(helpText);
        process.exit(0);
      }
      return fail(command, unknownCommandLine(command, helpOf));
    }
    fail(command, usageLine(command, err));
  });
}

/** `tbps help frob`: the unknown name after `help`; undefined when help was shown for a bare command group. */
function helpTarget(command: Command): string | undefined {
  const [first, second] = command.args;
  return first === 'help' && second !== undefined ? second : undefined;
}

function fail(command: Command, line: string): never {
  process.stderr.write(`${commandPath(command)}: error: ${line}\n`);
  process.exit(EXIT_BAD_INPUT);
}

export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function usageLine(command: Command, err: CommanderError): string {
  const where = commandPath(command);
  if (err.code === 'commander.unknownCommand') return unknownCommandLine(command, command.args[0] ?? '');
  if (err.code === 'commander.unknownOption') {
    const flag = /unknown option '([^']*)'/.exec(err.message)?.[1] ?? '';
    const known = knownOptions(command);
    const near = closest(flag, known);
    const hint = near && editDistance(flag, near) <= Math.ceil(flag.length * 0.4) ? `; did you mean '${near}'?` : '';
    return `unknown option '${flag}'${hint} ('${where} --help' lists the options)`;
  }
  // commander's own text, without its "error: " prefix and on one line
  const text = err.message.replace(/^error:\s*/, '').replace(/\s*\n\s*/g, ' ');
  return `${text} (usage: ${where} ${command.usage()})`;
}

function unknownCommandLine(command: Command, name: string): string {
  const where = commandPath(command);
  const known = command.commands.map((c) => c.name());
  const near = closest(name, known);
  const hint = near ? `; did you mean '${where} ${near}'?` : '';
  return `unknown command '${where} ${name}'${hint} (known: ${known.join(', ')})`;
}

function knownOptions(command: Command): string[] {
  const flags: string[] = [];
  for (let c: Command | null = command; c; c = c.parent)
    for (const option of c.options) if (option.long) flags.push(option.long);
  return [...flags, '--help'];
}

/** The known name nearest to `word` (edit distance, adjacent swaps count once); a name it starts is nearest of all. */
export function closest(word: string, known: string[]): string | undefined {
  if (word === '' || known.length === 0) return undefined;
  const prefixed = known.find((k) => k.startsWith(word) || word.startsWith(k));
  if (prefixed) return prefixed;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(word, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.length][b.length];
}
