import { parseName } from '../../../../lib/names/name';
import type { Chain, ParsedName } from '../../../../lib/names/types';
import { shortNodeId } from '../../../../lib/node-id';
import { type ChainLink, type Domain, type PublishPlan, connectChain, problemText } from './chain';
import { type PageConfig, fetchPageConfig } from './config';
import { byId, choiceList, clear, say, show } from './dom';
import { type Account, findAccounts, signerFor } from './wallet';

// The publishing page: account -> domain -> check (dry run: fee, deposit, or why not) ->
// publish (the wallet signs) -> included -> read back. Every step is said in words in a
// status region, so it can be followed without seeing the page.

const CHAIN_NAMES: Record<Chain, string> = { azero: 'Aleph Zero', tzero: 'Aleph Zero testnet' };

const ui = {
  node: byId('node'),
  walletStatus: byId('wallet-status'),
  walletRetry: byId<HTMLButtonElement>('wallet-retry'),
  accounts: byId<HTMLFieldSetElement>('accounts'),
  accountList: byId('account-list'),
  domainsStatus: byId('domains-status'),
  domains: byId<HTMLFieldSetElement>('domains'),
  domainList: byId('domain-list'),
  form: byId<HTMLFormElement>('check-form'),
  domain: byId<HTMLInputElement>('domain'),
  check: byId<HTMLButtonElement>('check'),
  checkStatus: byId('check-status'),
  plan: byId('plan'),
  fee: byId('plan-fee'),
  deposit: byId('plan-deposit'),
  publish: byId<HTMLButtonElement>('publish'),
  progress: byId('progress'),
};

let config: PageConfig | null = null;
let account: Account | null = null;
// One connection per chain, kept while the page is open (the registry contract is cached).
const links = new Map<Chain, Promise<ChainLink>>();
// The checked plan Publish would submit; any change of account or domain drops it.
let planned: { plan: PublishPlan; link: ChainLink; name: ParsedName; account: Account } | null = null;
let busy = false;

function chainLink(chain: Chain): Promise<ChainLink> {
  let p = links.get(chain);
  if (!p) {
    p = connectChain(chain, config!.endpoints[chain]);
    // A failed connection is retried on the next use, not remembered.
    p.catch(() => links.delete(chain));
    links.set(chain, p);
  }
  return p;
}

function chainsInUse(): Chain[] {
  return (['azero', 'tzero'] as const).filter((c) => config!.endpoints[c].length > 0);
}

function dropPlan(): void {
  planned = null;
  show(ui.plan, false);
  clear(ui.checkStatus);
  updateButtons();
}

function updateButtons(): void {
  ui.check.disabled = busy || account === null || ui.domain.value.trim() === '';
  ui.publish.disabled = busy || planned === null;
}

function step(text: string, kind: 'done' | 'problem' | null = null): void {
  const li = document.createElement('li');
  li.textContent = text;
  if (kind) li.className = kind;
  ui.progress.append(li);
}

async function start(): Promise<void> {
  try {
    config = await fetchPageConfig();
  } catch (err) {
    say(ui.node, `This page cannot work: ${problemText(err)}`, 'problem');
    say(ui.walletStatus, '');
    return;
  }
  say(ui.node, '');
  ui.node.append('This node: ', Object.assign(document.createElement('code'), { textContent: config.nodeId }));
  if (config.myName) ui.domain.value = config.myName;
  ui.walletRetry.addEventListener('click', () => void lookForWallets());
  ui.form.addEventListener('submit', (e) => {
    e.preventDefault();
    void check();
  });
  ui.domain.addEventListener('input', () => {
    dropPlan();
    markTypedDomain();
  });
  ui.publish.addEventListener('click', () => void publish());
  await lookForWallets();
}

async function lookForWallets(): Promise<void> {
  show(ui.walletRetry, false);
  say(ui.walletStatus, 'Looking for wallets…');
  let found;
  try {
    found = await findAccounts();
  } catch (err) {
    say(ui.walletStatus, `The wallet did not answer: ${problemText(err)}`, 'problem');
    show(ui.walletRetry, true);
    return;
  }
  if (found.kind === 'none') {
    say(ui.walletStatus, 'No wallet found: install Polkadot.js, SubWallet or Talisman and allow this page, then look again.', 'problem');
    show(ui.walletRetry, true);
    return;
  }
  if (found.kind === 'no-accounts') {
    say(
      ui.walletStatus,
      `${found.wallets.join(', ')} shares no accounts with this page. Allow an account for this page in your wallet, then look again.`,
      'problem',
    );
    show(ui.walletRetry, true);
    return;
  }
  const wallets = found.wallets.join(', ');
  say(
    ui.walletStatus,
    found.accounts.length === 1
      ? `Found one account in ${wallets}. If your domain belongs to another one, allow that account for this page in your wallet and look again.`
      : `Found ${found.accounts.length} accounts in ${wallets}. Choose the one that owns or controls your domain.`,
  );
  show(ui.walletRetry, true);
  choiceList(
    ui.accountList,
    'account',
    found.accounts.map((a) => ({ value: a.address, label: `${a.label ?? 'Unnamed account'} (${shortAddress(a.address)}, ${a.source})` })),
    (address) => void chooseAccount(found.accounts.find((a) => a.address === address)!),
  );
  show(ui.accounts, true);
  if (found.accounts.length === 1) {
    ui.accountList.querySelector<HTMLInputElement>('input')!.checked = true;
    await chooseAccount(found.accounts[0]!);
  }
}

async function chooseAccount(a: Account): Promise<void> {
  account = a;
  dropPlan();
  clear(ui.domainList);
  show(ui.domains, false);
  const chains = chainsInUse();
  say(ui.domainsStatus, `Looking for the domains of ${shortAddress(a.address)} on ${chains.map((c) => CHAIN_NAMES[c]).join(' and ')}…`);
  const results = await Promise.all(
    chains.map(async (chain) => {
      try {
        const link = await chainLink(chain);
        return { chain, domains: await link.listDomains(a.address), problem: null };
      } catch (err) {
        return { chain, domains: [] as Domain[], problem: problemText(err) };
      }
    }),
  );
  if (account !== a) return; // another account was chosen meanwhile
  const domains = results.flatMap((r) => r.domains);
  const problems = results.filter((r) => r.problem !== null).map((r) => `${CHAIN_NAMES[r.chain]}: ${r.problem}`);
  const found =
    domains.length === 0
      ? 'This account owns or controls no domain that could be found. You can still type one below.'
      : `This account owns or controls ${domains.length === 1 ? 'one domain' : `${domains.length} domains`}. Choose one, or type another below.`;
  // A chain that could not be searched is a problem only when nothing was found elsewhere.
  say(
    ui.domainsStatus,
    [found, ...problems.map((p) => `Could not look on ${p}`)].join(' '),
    problems.length > 0 && domains.length === 0 ? 'problem' : null,
  );
  if (domains.length > 0) {
    choiceList(
      ui.domainList,
      'domain',
      domains.map((d) => ({ value: d.name, label: `${d.name} (${d.role})` })),
      (name) => {
        ui.domain.value = name;
        dropPlan();
      },
    );
    markTypedDomain();
    show(ui.domains, true);
  }
  updateButtons();
}

// The dry run: what publishing would cost, or why it would fail, before anything is signed.
async function check(): Promise<void> {
  const a = account;
  if (!a || busy) return;
  dropPlan();
  let name: ParsedName;
  try {
    name = parseName(ui.domain.value);
  } catch (err) {
    say(ui.checkStatus, problemText(err), 'problem');
    return;
  }
  if (!config!.endpoints[name.chain].length) {
    say(ui.checkStatus, `No endpoint for ${CHAIN_NAMES[name.chain]} is set in Copybara's settings.`, 'problem');
    return;
  }
  busy = true;
  updateButtons();
  say(ui.checkStatus, `Checking ${name.full} on ${CHAIN_NAMES[name.chain]}…`);
  try {
    const link = await chainLink(name.chain);
    const plan = await link.plan(a.address, name, config!.records);
    if (account !== a || ui.domain.value.trim().toLowerCase() !== name.full) return;
    if (plan.upToDate) {
      say(
        ui.checkStatus,
        `${name.full} already points to this node (${shortNodeId(config!.nodeId)}); there is nothing to publish.`,
        'done',
      );
      return;
    }
    planned = { plan, link, name, account: a };
    ui.fee.textContent = plan.fee ? `about ${plan.fee.text}` : 'could not be estimated; your wallet shows it before you sign';
    ui.deposit.textContent = depositText(plan);
    show(ui.plan, true);
    const replaced = plan.changes
      .filter((c) => c.current !== null)
      .map((c) => ` Its ${c.key} record now holds “${c.current}”; publishing replaces it.`);
    say(
      ui.checkStatus,
      `${name.full} can point to this node; its other records stay as they are.${replaced.join('')} Press Publish; your wallet will ask you to sign.`,
    );
  } catch (err) {
    say(ui.checkStatus, problemText(err), 'problem');
  } finally {
    busy = false;
    updateButtons();
  }
}

async function publish(): Promise<void> {
  const p = planned;
  if (!p || busy) return;
  busy = true;
  updateButtons();
  clear(ui.progress);
  try {
    const signer = await signerFor(p.account.address);
    // The statuses say each step, including "Included in block #N".
    await p.link.submit(p.plan, signer, (status) => step(status));
    step('Reading the record back…');
    await p.link.confirm(p.plan);
    step(`Confirmed: ${p.name.full} now points to this node (${shortNodeId(config!.nodeId)}).`, 'done');
    planned = null;
  } catch (err) {
    step(problemText(err), 'problem');
  } finally {
    busy = false;
    updateButtons();
  }
}

// The list and the field say the same: a listed domain typed by hand is shown chosen.
function markTypedDomain(): void {
  const typed = ui.domain.value.trim().toLowerCase();
  for (const r of ui.domainList.querySelectorAll<HTMLInputElement>('input[type=radio]')) r.checked = r.value === typed;
}

function depositText(plan: PublishPlan): string {
  const d = plan.storageDeposit;
  if (d.kind === 'charge') return `${d.text}, held by the registry while the record exists (you get it back when it is removed)`;
  if (d.kind === 'refund') return `${d.text} comes back to you`;
  return 'none';
}

function shortAddress(address: string): string {
  return address.length > 12 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}

void start();
