/**
 * The `tarsier` command. Every failure a user can cause ends with one line on stderr and exit
 * code 2; anything else is a bug and says so (still one line, unless TARSIER_DEBUG is set).
 */
import { Command, CommanderError } from 'commander';
import { describeError, isTarsierError } from '../errors.js';
import { toolVersion } from '../report/tool.js';
import { registerAccessKey } from './access-key.js';
import { registerScan } from './scan.js';
import { registerServe } from './serve.js';
import { registerToken } from './token.js';
import { registerWorker } from './worker.js';
import { registerDb } from './db.js';

export const EXIT_USAGE = 2;

export async function main(argv: string[]): Promise<number> {
  let result: Promise<number> = Promise.resolve(0);
  const program = new Command()
    .name('tarsier')
    .description('Container image security: secrets, vulnerabilities, baseline configuration and build-command risks')
    .version(toolVersion(), '-v, --version')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError(false);
  const run = (fn: () => Promise<number>) => {
    result = fn();
  };
  registerScan(program, run);
  registerWorker(program, run);
  registerDb(program, run);
  registerServe(program, run);
  registerToken(program, run);
  registerAccessKey(program, run);
  try {
    await program.parseAsync(argv);
    return await result;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit through here with code 0; usage errors were already printed.
      return err.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (isTarsierError(err)) {
      process.stderr.write(`tarsier: ${describeError(err)}\n`);
      return EXIT_USAGE;
    }
    if (process.env.TARSIER_DEBUG) process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.stderr.write(`tarsier: internal error: ${describeError(err)} (set TARSIER_DEBUG=1 for details)\n`);
    return 1;
  }
}
