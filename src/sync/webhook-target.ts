// Where a notification webhook may go: https to a public address. A subscriber's URL is theirs to
// type, so it must not reach into the hub's own network (a cloud's metadata service at
// 169.254.169.254, the database, an admin port on 127.0.0.1). The URL is checked when it is saved,
// and again at each POST, whose connection goes to the very addresses the check resolved: a name
// that answers a public address at saving and a private one later (DNS rebinding) is refused then.
// For development only, COURSEBRIDGE_WEBHOOK_ALLOW_LOOPBACK lets webhooks reach this machine, over
// plain http too. An institution whose receivers live on its own network names those networks
// (COURSEBRIDGE_WEBHOOK_NETWORKS, https still): every other private or link-local address stays refused.
import { lookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

export interface WebhookPolicy {
  /** Development: webhooks may go to a loopback address, over http as well as https. */
  allowLoopback: boolean;
  /** Private networks (CIDR, e.g. 10.20.0.0/16) the institution's own receivers live in, reached over https. */
  networks?: readonly string[];
}

/** The policy's networks as a BlockList (built once per policy). */
const allowedOf = new WeakMap<WebhookPolicy, BlockList>();
function allowedNetworks(policy: WebhookPolicy): BlockList {
  let list = allowedOf.get(policy);
  if (!list) {
    list = new BlockList();
    for (const cidr of policy.networks ?? []) {
      const [address, prefix] = cidr.split('/');
      const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      list.addSubnet(address, prefix === undefined ? (type === 'ipv6' ? 128 : 32) : Number(prefix), type);
    }
    allowedOf.set(policy, list);
  }
  return list;
}

/** A webhook refused for where it would go; the message says why. */
export class WebhookTargetRefused extends Error {}

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

// Addresses that are not on the public internet: this network, private, shared (CGNAT),
// link-local, documentation, benchmarking, multicast and reserved ranges. BlockList matches an
// IPv4-mapped IPv6 address (::ffff:10.0.0.1) by its IPv4 rules.
const notPublic = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 3],
] as const)
  notPublic.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 96],
  ['64:ff9b:1::', 48],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  notPublic.addSubnet(network, prefix, 'ipv6');

const PLAIN_HTTP = 'http:// is only for development, to this machine: use https://';

/** What keeps a webhook from this address ("a loopback address…"), or null when it may go there. */
function addressProblem(address: string, plainHttp: boolean, policy: WebhookPolicy): string | null {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  if (loopback.check(address, family)) return policy.allowLoopback ? null : 'a loopback address (this machine)';
  if (notPublic.check(address, family) && !allowedNetworks(policy).check(address, family))
    return 'a private, link-local or reserved address (name the institution\'s own networks in COURSEBRIDGE_WEBHOOK_NETWORKS)';
  return plainHttp ? `not this machine, and ${PLAIN_HTTP}` : null;
}

/** Why a webhook may not go to this host, an address or a name that resolves to `addresses`; null when it may. */
function hostProblem(host: string, addresses: string[], plainHttp: boolean, policy: WebhookPolicy): string | null {
  for (const address of addresses) {
    const problem = addressProblem(address, plainHttp, policy);
    if (problem) return address === host ? `${address} is ${problem}` : `${host} resolves to ${address}, ${problem}`;
  }
  return null;
}

/** Why a webhook may not use this URL's scheme, or null. */
function schemeProblem(url: URL, policy: WebhookPolicy): string | null {
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && policy.allowLoopback) return null;
  return 'Use an https:// URL';
}

const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

/** Every address a name resolves to now; none when it does not resolve. */
const resolveAll = (host: string) =>
  new Promise<LookupAddress[]>((resolve) => lookup(host, { all: true }, (error, addresses) => resolve(error ? [] : addresses)));

/**
 * Why a subscriber may not save this webhook URL, or null. A name that does not resolve now is
 * accepted over https (it is checked again at each POST); plain http must reach this machine now.
 */
export async function webhookUrlProblem(raw: string, policy: WebhookPolicy): Promise<string | null> {
  const url = new URL(raw);
  const scheme = schemeProblem(url, policy);
  if (scheme) return scheme;
  const host = hostOf(url);
  const plainHttp = url.protocol === 'http:';
  if (isIP(host)) return hostProblem(host, [host], plainHttp, policy);
  const addresses = (await resolveAll(host)).map((a) => a.address);
  if (!addresses.length && plainHttp) return `${host} does not resolve to this machine, and ${PLAIN_HTTP}`;
  return hostProblem(host, addresses, plainHttp, policy);
}

/**
 * POSTs `body` to the webhook and answers the response's status (redirects are not followed: one
 * could lead anywhere). Throws WebhookTargetRefused when the URL or what its host resolves to now
 * may not be reached; the connection is made to the addresses that were checked.
 */
export function postWebhook(raw: string, request: { headers: Record<string, string>; body: string; timeoutMs: number }, policy: WebhookPolicy): Promise<number> {
  const url = new URL(raw);
  const host = hostOf(url);
  const plainHttp = url.protocol === 'http:';
  const refused = schemeProblem(url, policy) ?? (isIP(host) ? hostProblem(host, [host], plainHttp, policy) : null);
  if (refused) return Promise.reject(new WebhookTargetRefused(refused));
  // Node resolves a name through this lookup just before it connects (an IP address skips it: checked above).
  const checkedLookup: LookupFunction = (hostname, options, callback) =>
    lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const problem = hostProblem(hostname, addresses.map((a) => a.address), plainHttp, policy);
      if (problem) return callback(new WebhookTargetRefused(problem), '', 0);
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    });
  return new Promise((resolve, reject) => {
    const outgoing = (plainHttp ? http : https).request(url, {
      method: 'POST',
      headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
      lookup: checkedLookup,
      // A connection of its own: a pooled one would skip the check of what the name resolves to now.
      agent: false,
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    outgoing.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}
