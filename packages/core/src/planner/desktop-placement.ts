/**
 * The seed's rule for RDP desktop sessions: a user gets at most one desktop per server. A queued
 * request of a user can therefore use a free seat only on a server where that user has no session
 * yet; the planner uses this to tell queued requests the running servers can take from those that
 * need a new server.
 */

/** A running server of an RDP pool with free seats (`min(sessions left, users left)`), and its users. */
export interface DesktopRoom {
  free: number;
  users: ReadonlySet<string>;
}

export interface DesktopPlacement {
  /** Queued requests a free seat of a running server can take under the rule. */
  placed: number;
  /** Queued requests no free seat can take: their user already holds a desktop on every server with room. */
  unplaced: number;
  /** Most unplaced requests of one user: each of them needs a different new server. */
  largestUserShare: number;
}

/**
 * Places queued requests on free seats greedily, in request order, one desktop per user per
 * server (a request without a user is a user of its own). Pure; `rooms` is not changed.
 */
export function placeQueuedDesktops(options: {
  rooms: readonly DesktopRoom[];
  queued: readonly { user?: string }[];
}): DesktopPlacement {
  const rooms = options.rooms.map((room) => ({ free: room.free, users: room.users, added: new Set<string>() }));
  let placed = 0;
  const unplacedPerUser = new Map<string, number>();
  let unplacedAnonymous = 0;
  for (const request of options.queued) {
    const user = request.user;
    const room = rooms.find(
      (candidate) =>
        candidate.free > 0 && (user === undefined || (!candidate.users.has(user) && !candidate.added.has(user))),
    );
    if (room) {
      room.free -= 1;
      if (user !== undefined) room.added.add(user);
      placed += 1;
    } else if (user === undefined) unplacedAnonymous += 1;
    else unplacedPerUser.set(user, (unplacedPerUser.get(user) ?? 0) + 1);
  }
  let unplaced = unplacedAnonymous;
  let largestUserShare = unplacedAnonymous > 0 ? 1 : 0;
  for (const count of unplacedPerUser.values()) {
    unplaced += count;
    largestUserShare = Math.max(largestUserShare, count);
  }
  return { placed, unplaced, largestUserShare };
}

/** The users holding a session on a server; a session without a user holds no name. */
export function sessionUsers(sessions: readonly { user?: string }[]): Set<string> {
  const users = new Set<string>();
  for (const session of sessions) if (session.user !== undefined) users.add(session.user);
  return users;
}
