import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Server the PostgreSQL tests use; `scripts/ci/ensure-postgres.sh` makes sure one answers. */
export const testPostgresUrl = process.env.HEADROOM_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  name: string;
  url: string;
  /** Runs one statement on the test database through a short-lived connection. */
  query<Row extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<Row[]>;
  drop(): Promise<void>;
}

/** Creates a database with a unique name for one test file; `drop()` removes it, forcing sessions out. */
export async function createTestDatabase({ prefix }: { prefix: string }): Promise<TestDatabase> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withClient(testPostgresUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(testPostgresUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    query: async <Row extends pg.QueryResultRow>(text: string, values?: unknown[]) =>
      (await withClient(url.toString(), (client) => client.query<Row>(text, values))).rows,
    drop: async () => {
      await withClient(testPostgresUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

async function withClient<T>(url: string, body: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `cannot reach the test PostgreSQL (HEADROOM_TEST_POSTGRES_URL); run scripts/ci/ensure-postgres.sh: ${String(error)}`,
    );
  }
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}
