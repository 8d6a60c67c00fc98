/**
 * The `tarsier` command. Every failure a user can cause ends with one line on stderr and exit
 * code 2; anything else is a bug and says so (still one line, unless TARSIER_DEBUG is set).
 */
import { Command, CommanderError } from 'commander';
import { describeError, isTarsierError } from '../errors.js';
import { toolVersion } from '../report/tool.js';

type Register = (program: Command, run: (fn: () => Promise<number>) => void) => void;

/**
 * Commands load on demand: `tarsier scan` must not pay for the HTTP server, the database driver
 * and the API schemas at start-up (that was seconds, more than a warm rescan itself). Only the
 * command being run is loaded; `--help` and unknown commands load them all.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  scan: async () => (await import('./scan.js')).registerScan,
  worker: async () => (await import('./worker.js')).registerWorker,
  db: async () => (await import('./db.js')).registerDb,
  serve: async () => (await import('./serve.js')).registerServe,
  token: async () => (await import('./token.js')).registerToken,
  'access-key': async () => (await import('./access-key.js')).registerAccessKey,
  gc: async () => (await import('./gc.js')).registerGc,
  cache: async () => (await import('./cache.js')).registerCache,
};

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
  try {
    const name = argv[2];
    const wanted = name !== undefined && Object.hasOwn(COMMANDS, name) ? [COMMANDS[name]!] : Object.values(COMMANDS);
    for (const load of wanted) (await load())(program, run);
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
