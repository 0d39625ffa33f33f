import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { TraceError } from './trace-error.js';

/** True when the file starts with the gzip magic bytes 1f 8b. */
export async function isGzipFile(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(2);
    const { bytesRead } = await handle.read(buffer, 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/** Why a read failed, in words: corrupt or truncated gzip data, or the file system's error. */
function describeReadError(error: unknown, gzip: boolean): string {
  const { code, message } = error as NodeJS.ErrnoException;
  if (gzip && typeof code === 'string' && code.startsWith('Z_')) return `corrupt or truncated gzip data (${message})`;
  return `cannot read the file (${code ?? message})`;
}

/**
 * Streams a text file line by line (gzip detected by magic bytes, not by name), without holding
 * the text in memory. Line terminators (`\n`, `\r\n`) are removed.
 * @throws TraceError naming the file and the line after the last one read when the file cannot be read or unpacked (truncated or corrupt gzip)
 */
export async function* readLines(path: string): AsyncGenerator<string> {
  const gzip = await isGzipFile(path);
  const file = createReadStream(path);
  const input: Readable = gzip ? file.pipe(createGunzip()) : file;
  if (gzip) file.on('error', (error) => input.destroy(error));
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  try {
    // Reading lines and handing them out are kept apart so that errors of the caller pass through unchanged.
    const iterator = lines[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<string>;
      try {
        next = await iterator.next();
      } catch (error) {
        throw new TraceError({
          file: path,
          line: lineNumber + 1,
          message: describeReadError(error, gzip),
          cause: error,
        });
      }
      if (next.done) return;
      lineNumber++;
      yield next.value;
    }
  } finally {
    lines.close();
    input.destroy();
    file.destroy();
  }
}
