/**
 * A pass-through stream that checks content against its descriptor: it fails as soon as more
 * bytes arrive than the descriptor's size (a lying server cannot make us read forever), and
 * at the end if the size or the digest differ.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform } from 'node:stream';
import { TarsierError } from '../../errors.js';

const ALGORITHMS = new Set(['sha256', 'sha512']);

export function hasherFor(digest: string): Hash {
  const algorithm = digest.slice(0, digest.indexOf(':'));
  if (!ALGORITHMS.has(algorithm)) throw new TarsierError('unsupported', `digest algorithm "${algorithm}" is not supported (${digest})`);
  return createHash(algorithm);
}

export function digestOf(bytes: Buffer, algorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** Makes the error for content that does not match, given the reason. */
export type MismatchReporter = (reason: string) => TarsierError;

export function verifyingStream(expected: { digest: string; size?: number }, mismatch: MismatchReporter): Transform {
  const hash = hasherFor(expected.digest);
  const algorithm = expected.digest.slice(0, expected.digest.indexOf(':'));
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (expected.size !== undefined && seen > expected.size) {
        callback(mismatch(`more than the ${expected.size} bytes its descriptor says arrived`));
        return;
      }
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      if (expected.size !== undefined && seen !== expected.size) {
        callback(mismatch(`${seen} bytes arrived, its descriptor says ${expected.size}`));
        return;
      }
      const actual = `${algorithm}:${hash.digest('hex')}`;
      callback(actual === expected.digest ? null : mismatch(`the content hashes to ${actual}`));
    },
  });
}
