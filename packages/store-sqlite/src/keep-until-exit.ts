const kept: unknown[] = [];

/**
 * Keeps better-sqlite3 handles reachable until the process exits. better-sqlite3 12 wraps its
 * databases and statements in `node::ObjectWrap`, whose destructor on Node 24 aborts the process
 * ("Assertion failed: (env) != nullptr" in `RemoveEnvironmentCleanupHook`) when the garbage
 * collector finalizes a handle outside a JavaScript context. Handles passed here are never
 * collected; Node deletes them at exit through its cleanup hooks. Callers prepare each statement
 * once per connection, so this holds a bounded handful of objects per connection opened.
 */
export function keepUntilExit(...handles: unknown[]): void {
  kept.push(...handles);
}
