import { randomBytes } from 'node:crypto';

const lower = 'abcdefghijkmnpqrstuvwxyz';
const upper = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const digits = '23456789';
const symbols = '-_.+=';
const alphabet = lower + upper + digits + symbols;

/**
 * A one-time domain join password: 32 characters from cryptographic randomness, always with a
 * lower- and upper-case letter, a digit and a symbol (AD's complexity rule), and no quote,
 * backslash or brace so it is safe inside the seed's PowerShell single-quoted string and
 * `str.format` templates. `randomBytesOf` is injectable for tests.
 */
export function generateJoinPassword(options: { randomBytesOf?: (size: number) => Uint8Array } = {}): string {
  const draw = options.randomBytesOf ?? ((size: number) => randomBytes(size));
  const pick = (set: string, byte: number) => set[byte % set.length]!;
  const bytes = draw(32);
  const characters = [...bytes.slice(0, 28)].map((byte) => pick(alphabet, byte));
  characters.push(
    pick(lower, bytes[28]!),
    pick(upper, bytes[29]!),
    pick(digits, bytes[30]!),
    pick(symbols, bytes[31]!),
  );
  return characters.join('');
}
