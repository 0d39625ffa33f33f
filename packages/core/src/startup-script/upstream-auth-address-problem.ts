/**
 * Why a `checkin.upstreamAuthAddress` value is not `host[:port]`, with the fix, or undefined when
 * it is. Kasm's scripts write `https://{upstream_auth_address}/…` themselves, so a scheme (or a
 * path) would render `https://https://…`.
 */
export function upstreamAuthAddressProblem(value: string): string | undefined {
  const withScheme = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)/i.exec(value);
  if (withScheme)
    return `must be host[:port] without a scheme: the scripts add https:// themselves (write "${withScheme[2]}", not "${value}")`;
  if (!/^(\[[0-9a-f:]+\]|[a-z0-9]([a-z0-9.-]*[a-z0-9])?)(:\d{1,5})?$/i.test(value))
    return `must be host[:port], e.g. control-plane.example.com or 10.0.0.5:443 (not "${value}")`;
  return undefined;
}
