/**
 * Runs the CLI straight from source, without a build: `node --import tsx src/cli/dev-entry.ts …`
 * (development, and tests that start real `tarsier` processes). Exits with the command's code.
 */
import { main } from './main.js';

process.exit(await main(process.argv));
