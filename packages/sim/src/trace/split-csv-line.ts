/**
 * Splits one CSV line into fields (RFC 4180 quoting within the line: `"a,b"` and `""` for a
 * quote). Fields are not trimmed. Returns `undefined` when a quoted field is not closed.
 */
export function splitCsvLine(line: string): string[] | undefined {
  if (!line.includes('"')) return line.split(',');
  const fields: string[] = [];
  let field = '';
  let index = 0;
  let quoted = false;
  while (index < line.length) {
    const character = line[index]!;
    if (quoted) {
      if (character === '"') {
        if (line[index + 1] === '"') {
          field += '"';
          index += 2;
          continue;
        }
        quoted = false;
      } else {
        field += character;
      }
    } else if (character === '"' && field.length === 0) {
      quoted = true;
    } else if (character === ',') {
      fields.push(field);
      field = '';
    } else {
      field += character;
    }
    index++;
  }
  if (quoted) return undefined;
  fields.push(field);
  return fields;
}
