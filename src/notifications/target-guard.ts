import { BlockList, isIP } from 'node:net';
import { promises as dns } from 'node:dns';

export type ResolvedAddress = { address: string; family: number };

export type ResolveAll = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: ResolveAll = (hostname) =>
  dns.lookup(hostname, { all: true, verbatim: true });

/** Addresses a shop's webhook must never point at unless private targets are allowed. */
const INWARD = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  INWARD.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const) {
  INWARD.addSubnet(net, prefix, 'ipv6');
}

/** True for loopback, link-local, private, CGNAT, multicast and unspecified addresses. */
export function isInwardAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return INWARD.check(mapped[1], 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return INWARD.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export class TargetRefusedError extends Error {}

/**
 * Resolves a webhook host and refuses inward addresses. Delivery connects only to the addresses
 * returned here (never resolving again), so a name that rebinds to 127.0.0.1 after the check
 * cannot slip through. All of them are returned, in the resolver's order: a shop whose name has
 * several addresses is still reached when the first one is down.
 */
export class TargetGuard {
  constructor(
    private readonly allowPrivate: boolean,
    private readonly resolve: ResolveAll = systemResolver,
  ) {}

  async resolveTarget(hostname: string): Promise<ResolvedAddress[]> {
    const host = hostname.replace(/^\[|\]$/g, '');
    const literal = isIP(host);
    const addresses = literal ? [{ address: host, family: literal }] : await this.resolve(host);
    if (addresses.length === 0) throw new TargetRefusedError(`${host} does not resolve`);
    if (!this.allowPrivate) {
      const inward = addresses.find((a) => isInwardAddress(a.address));
      if (inward)
        throw new TargetRefusedError(
          `${host} resolves to a private or loopback address (${inward.address})`,
        );
    }
    return addresses;
  }
}
