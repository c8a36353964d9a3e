import type { ApiPromise } from '@polkadot/api';
import { parseName } from '../names/name';
import {
  decodeGetControlledNames,
  decodeGetController,
  decodeGetOwnedNames,
  decodeGetOwner,
  encodeGetControlledNames,
  encodeGetController,
  encodeGetOwnedNames,
  encodeGetOwner,
  type MessageOutcome,
} from '../names/registry-codec';
import type { ParsedName } from '../names/types';
import { type RegistryRef, accountBytes, readContract, sameAccount, ss58 } from './chain';
import { PublishError, asPublishError } from './errors';

// Which names an account may write records to. The registry's listings are an index the
// contract maintains beside the names themselves; the owner and controller of each name are
// the truth, so every listed name is confirmed through get_owner / get_controller before it
// is offered (a stale index entry would only lead to a refused transaction later).

export type DomainRole = 'owner' | 'controller' | 'owner and controller';

export interface Domain {
  name: string; // 'bob.azero'
  label: string; // 'bob'
  role: DomainRole;
  owner: string; // SS58
  controller: string; // SS58
}

// Confirmations in flight at once: an account with many names should not open hundreds of
// concurrent dry runs on a public node.
const CONCURRENCY = 8;

export async function listDomains(api: ApiPromise, registry: RegistryRef, address: string): Promise<Domain[]> {
  const account = accountBytes(address);
  const [owned, controlled] = await Promise.all([
    readContract(api, registry.address, encodeGetOwnedNames(account), decodeGetOwnedNames),
    readContract(api, registry.address, encodeGetControlledNames(account), decodeGetControlledNames),
  ]);
  const labels = [...new Set([...listed(owned, registry, 'owned'), ...listed(controlled, registry, 'controlled')])];
  // Labels we could never resolve (hex-looking, non-ASCII…) are not offered: publishing a
  // node id there would reach nobody.
  const names = labels.flatMap((label) => {
    try {
      return [parseName(`${label}.${registry.tld}`)];
    } catch {
      return [];
    }
  });
  const found: Domain[] = [];
  for (let i = 0; i < names.length; i += CONCURRENCY) {
    const batch = await Promise.all(names.slice(i, i + CONCURRENCY).map((n) => holders(api, registry, n)));
    for (const [j, h] of batch.entries()) {
      const domain = h && domainFor(names[i + j]!, h, address, api);
      if (domain) found.push(domain);
    }
  }
  return found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

// A name typed by hand: is it one this account can publish to?
export async function checkDomain(api: ApiPromise, registry: RegistryRef, address: string, name: string): Promise<Domain> {
  accountBytes(address);
  const parsed = parseInRegistry(name, registry);
  const h = await holders(api, registry, parsed);
  if (!h) throw PublishError.notFound(parsed.full);
  const domain = domainFor(parsed, h, address, api);
  if (!domain) throw PublishError.notController(parsed.full);
  return domain;
}

// The name as the registry knows it, or NAME_INVALID in words (including a name of another
// chain's registry: bob.tzero cannot be written through the mainnet registry).
export function parseInRegistry(name: string, registry: RegistryRef): ParsedName {
  let parsed: ParsedName;
  try {
    parsed = parseName(name);
  } catch (err) {
    throw asPublishError(err);
  }
  if (parsed.chain !== registry.chain) {
    throw new PublishError(
      'NAME_INVALID',
      `${parsed.full} is a name on the ${parsed.chain === 'tzero' ? 'test' : 'main'} network, but this page is connected to the ${registry.chain === 'tzero' ? 'test' : 'main'} network. Connect to the other network to publish to it.`,
    );
  }
  return { ...parsed, full: `${parsed.label}.${registry.tld}` };
}

interface Holders {
  owner: Uint8Array;
  controller: Uint8Array;
}

// Owner and controller, or null when the name does not exist (unregistered or expired).
export async function holders(api: ApiPromise, registry: RegistryRef, name: ParsedName): Promise<Holders | null> {
  const [owner, controller] = await Promise.all([
    readContract(api, registry.address, encodeGetOwner(name.label), decodeGetOwner),
    readContract(api, registry.address, encodeGetController(name.label), decodeGetController),
  ]);
  if (owner.kind === 'err' && owner.error === 'NameDoesntExist') return null;
  if (controller.kind === 'err' && controller.error === 'NameDoesntExist') return null;
  return { owner: accountOf(owner, registry, name, 'owner'), controller: accountOf(controller, registry, name, 'controller') };
}

function accountOf(out: MessageOutcome<Uint8Array>, registry: RegistryRef, name: ParsedName, what: string): Uint8Array {
  if (out.kind === 'ok') return out.value;
  if (out.kind === 'lang') throw notRegistry(registry, out.error);
  throw PublishError.chain(`the registry refused to name the ${what} of ${name.full} (${out.error})`);
}

function listed(out: MessageOutcome<string[]>, registry: RegistryRef, which: string): string[] {
  if (out.kind === 'ok') return out.value;
  if (out.kind === 'lang') throw notRegistry(registry, out.error);
  throw PublishError.chain(`the registry refused to list the names an account has ${which} (${out.error})`);
}

export function notRegistry(registry: RegistryRef, why: string): PublishError {
  return PublishError.chain(`the contract at ${registry.address} could not read our request (${why}); is it the AZERO.ID registry?`);
}

function domainFor(name: ParsedName, h: Holders, address: string, api: ApiPromise): Domain | null {
  const isOwner = sameAccount(h.owner, address);
  const isController = sameAccount(h.controller, address);
  if (!isOwner && !isController) return null;
  return {
    name: name.full,
    label: name.label,
    role: isOwner && isController ? 'owner and controller' : isOwner ? 'owner' : 'controller',
    owner: ss58(api, h.owner),
    controller: ss58(api, h.controller),
  };
}
