/**
 * Runs the CLI straight from source, without a build: `node --import tsx src/cli/dev-entry.ts …`
 * (development, and tests that start real `tarsier` processes). Exits with the command's code.
 */
import { main } from './main.js';

const code = await main(process.argv);
// process.exit drops what a pipe has not taken yet (a JSON report is easily over 64 KiB): the
// callback of an empty write runs once everything written before it is flushed.
await Promise.all([process.stdout, process.stderr].map((s) => new Promise<void>((resolve) => s.write('', () => resolve()))));
process.exit(code);
