/**
 * Runs the CLI from source exactly as bin/tarsier.js runs the built one, so CLI tests do not
 * depend on a fresh `npm run build` (`node --import tsx test/helpers/run-cli.ts ARGS`, or
 * transpiled, as test/image/cli-scan.test.ts does).
 */
import { main } from '../../src/cli/main.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`tarsier: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
