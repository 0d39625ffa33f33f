/** Tags every managed instance carries (DESIGN §7). */
export const HEADROOM_TAGS = {
  managedBy: 'headroom-managed-by',
  pool: 'headroom-pool',
  autoscale: 'headroom-autoscale',
  intent: 'headroom-intent',
} as const;
