import type { ApiPromise } from '@polkadot/api';
import type { Signer } from '@polkadot/api/types';
import type { ISubmittableResult, SignerPayloadJSON, SignerPayloadRaw, SignerResult } from '@polkadot/types/types';
import { duration } from '../names/wait';
import { endpointOf } from './chain';
import { describeError } from '../errors';
import { PublishError } from './errors';
import { type PublishPlan, contractsCallTx } from './plan';

// Signing and sending the planned transaction with the user's own wallet, and following it
// until a block includes it. Signing happens in the wallet (an extension's Signer); nothing
// here sees a key. Every wait is bounded, and every way it can end is said in words.

export type SubmitStage = 'signing' | 'sent' | 'in-block' | 'finalised';

export interface SubmitStatus {
  stage: SubmitStage;
  text: string;
  blockNumber?: number;
  blockHash?: string;
}

export interface SubmitResult {
  txHash: string;
  blockHash: string;
  blockNumber: number | null;
  // False when the node could not hand over the block's events, so success could not be
  // seen there: confirmPublished() (reading the records back) then decides.
  eventsChecked: boolean;
}

export interface SubmitOptions {
  // From the signature until a block includes the transaction.
  inclusionTimeoutMs?: number;
  // How long the wallet may wait for the user.
  signTimeoutMs?: number;
  // After inclusion, how long to keep listening for finality (reported through onStatus).
  finalityTimeoutMs?: number;
}

export const DEFAULT_INCLUSION_TIMEOUT_MS = 120_000;
export const DEFAULT_SIGN_TIMEOUT_MS = 600_000;

export function submitPublish(
  api: ApiPromise,
  plan: PublishPlan,
  signer: Signer,
  onStatus: (s: SubmitStatus) => void = () => undefined,
  opts: SubmitOptions = {},
): Promise<SubmitResult> {
  if (plan.upToDate) {
    return Promise.reject(new PublishError('NOTHING_TO_PUBLISH', `${plan.name} already holds these records: nothing to publish.`));
  }
  const endpoint = endpointOf(api) ?? 'the connected node';
  const inclusionMs = opts.inclusionTimeoutMs ?? DEFAULT_INCLUSION_TIMEOUT_MS;
  const signMs = opts.signTimeoutMs ?? DEFAULT_SIGN_TIMEOUT_MS;
  const finalityMs = opts.finalityTimeoutMs ?? inclusionMs;

  return new Promise<SubmitResult>((resolve, reject) => {
    let phase: 'signing' | 'sent' | 'included' | 'done' = 'signing';
    let signerFailure: unknown = null;
    let unsub: (() => void) | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let announcedSent = false;

    // A page's status callback must never break the transaction's bookkeeping.
    const say = (s: SubmitStatus) => {
      try {
        onStatus(s);
      } catch {
        // ignored
      }
    };
    const arm = (ms: number, onTimeout: () => void) => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(onTimeout, ms);
    };
    const stop = () => {
      if (timer) clearTimeout(timer);
      timer = null;
      offDisconnect();
      if (unsub) {
        try {
          unsub();
        } catch {
          // already closed
        }
      }
      unsub = null;
    };
    const fail = (err: PublishError) => {
      if (phase === 'done' || phase === 'included') return;
      phase = 'done';
      stop();
      reject(err);
    };

    const onDisconnect = () => {
      if (phase === 'signing')
        fail(PublishError.unreachable(endpoint, 'the connection dropped before the transaction was sent; nothing was published'));
      else if (phase === 'sent') {
        fail(
          new PublishError(
            'UNREACHABLE',
            `The connection to ${endpoint} dropped after the transaction was sent, so its fate is unknown: it may still be included. Check ${plan.name} before publishing again.`,
            endpoint,
          ),
        );
      } else stop();
    };
    api.on('disconnected', onDisconnect);
    const offDisconnect = () => api.off('disconnected', onDisconnect);

    // The wallet's signer, watched: its failure means nothing was sent (REJECTED), and the
    // inclusion clock starts only once the user has signed.
    const watched =
      (sign: (p: never) => Promise<SignerResult>) =>
      async (payload: never): Promise<SignerResult> => {
        say({ stage: 'signing', text: 'Waiting for your wallet to sign…' });
        arm(signMs, () =>
          fail(
            new PublishError('REJECTED', `Your wallet did not sign within ${duration(signMs)}. Nothing was sent; try again when ready.`),
          ),
        );
        try {
          const result = await sign(payload);
          if (phase === 'done') throw new Error('gave up waiting for the wallet');
          phase = 'sent';
          arm(inclusionMs, () => fail(notIncluded(plan, inclusionMs)));
          return result;
        } catch (err) {
          signerFailure = err;
          throw err;
        }
      };
    const wrapped: Signer = {};
    if (signer.signPayload)
      wrapped.signPayload = watched(signer.signPayload.bind(signer)) as (p: SignerPayloadJSON) => Promise<SignerResult>;
    if (signer.signRaw) wrapped.signRaw = watched(signer.signRaw.bind(signer)) as (p: SignerPayloadRaw) => Promise<SignerResult>;
    if (signer.update) wrapped.update = signer.update.bind(signer);
    if (!wrapped.signPayload && !wrapped.signRaw) {
      fail(new PublishError('REJECTED', 'This wallet cannot sign transactions. Choose another wallet or account.'));
      return;
    }

    const onResult = (result: ISubmittableResult) => {
      if (phase === 'done') return;
      const { status } = result;
      if (status.isReady || status.isBroadcast || status.isFuture || status.isRetracted) {
        if (!announcedSent) say({ stage: 'sent', text: 'Sent; waiting to be included in a block…' });
        announcedSent = true;
        return;
      }
      if (status.isInvalid)
        return fail(
          new PublishError('INVALID', 'The node refused the transaction as invalid. Nothing was published; try again.', endpoint),
        );
      if (status.isDropped)
        return fail(
          new PublishError(
            'INVALID',
            'The node dropped the transaction before any block included it. Nothing was published; try again.',
            endpoint,
          ),
        );
      if (status.isUsurped)
        return fail(
          new PublishError(
            'INVALID',
            'Another transaction from this account replaced this one. Nothing was published; try again.',
            endpoint,
          ),
        );
      if (status.isInBlock || status.isFinalized) {
        const blockHash = (status.isInBlock ? status.asInBlock : status.asFinalized).toHex();
        // SubmittableResult carries the block number (api ≥ 10); the interface does not declare it.
        const number = (result as { blockNumber?: { toString(): string } }).blockNumber;
        const blockNumber = number ? Number(number.toString()) : null;
        if (phase !== 'included') {
          const failure = failureOf(api, result, plan);
          if (failure) return fail(failure);
          phase = 'included';
          say({
            stage: 'in-block',
            text: blockNumber !== null ? `Included in block #${blockNumber}` : 'Included in a block',
            blockHash,
            ...(blockNumber !== null ? { blockNumber } : {}),
          });
          resolve({
            txHash: result.txHash.toHex(),
            blockHash,
            blockNumber,
            eventsChecked: result.events.length > 0 && !(result as { internalError?: unknown }).internalError,
          });
          // Keep listening for finality a while, for the page to show; then let go.
          arm(finalityMs, () => {
            phase = 'done';
            stop();
          });
        }
        if (status.isFinalized) {
          say({ stage: 'finalised', text: 'Finalised', blockHash, ...(blockNumber !== null ? { blockNumber } : {}) });
          phase = 'done';
          stop();
        }
        return;
      }
      if (status.isFinalityTimeout && phase === 'included') {
        phase = 'done';
        stop();
      }
    };

    let tx;
    try {
      tx = contractsCallTx(api, plan.registry.address, plan.gasLimit, plan.storageDepositLimit, plan.input);
    } catch (err) {
      fail(err instanceof PublishError ? err : PublishError.chain(String(err), endpoint));
      return;
    }
    tx.signAndSend(plan.address, { signer: wrapped }, onResult).then(
      (u) => {
        if (phase === 'done') u();
        else unsub = u;
      },
      (err: unknown) => fail(sendFailure(err, signerFailure, endpoint, api.isConnected)),
    );
  });
}

function notIncluded(plan: PublishPlan, ms: number): PublishError {
  return new PublishError(
    'TIMEOUT',
    `No block included the transaction within ${duration(ms)}. It may still be included later: check ${plan.name} in a few minutes before publishing again.`,
  );
}

// ExtrinsicFailed in the block: the dispatch error, in words.
function failureOf(api: ApiPromise, result: ISubmittableResult, plan: PublishPlan): PublishError | null {
  const failed = result.events.find(({ event }) => event.section === 'system' && event.method === 'ExtrinsicFailed');
  const dispatchError = result.dispatchError ?? (failed ? (failed.event.data[0] as ISubmittableResult['dispatchError']) : undefined);
  if (!dispatchError && !failed) return null;
  let name = 'an unknown error';
  try {
    if (dispatchError?.isModule) {
      const meta = api.registry.findMetaError(dispatchError.asModule);
      name = `${meta.section}.${meta.name}`;
    } else if (dispatchError) {
      name = dispatchError.type;
    }
  } catch {
    name = dispatchError ? dispatchError.toString().slice(0, 120) : name;
  }
  const what = /ContractReverted/.test(name)
    ? `the registry refused the change (${name}): the records of ${plan.name} may have changed since the check, or this account lost control of it. Check the name and try again.`
    : /StorageDepositLimitExhausted|StorageDepositNotEnoughFunds/.test(name)
      ? `the storage deposit came out higher than planned or the account could not pay it (${name}). Check your balance and try again.`
      : /OutOfGas/.test(name)
        ? `it ran out of gas (${name}). Try again; the gas is re-measured each time.`
        : `it failed (${name}). Try again.`;
  return new PublishError('FAILED', `The transaction was included in a block, but ${what} Only the fee was charged; no record changed.`);
}

// signAndSend rejected: the wallet refused, the node refused, or the connection went.
export function sendFailure(err: unknown, signerFailure: unknown, endpoint: string, connected: boolean): PublishError {
  if (err instanceof PublishError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (signerFailure !== null) {
    const why = describeError(signerFailure);
    // extension-dapp signers reject with 'Cancelled' (polkadot.js), 'Rejected by user'
    // (SubWallet, Talisman) and the like.
    if (/cancel|reject|denied|declined|abort|closed/i.test(why)) {
      return new PublishError('REJECTED', 'You did not sign the transaction in your wallet, so nothing was sent.');
    }
    return new PublishError(
      'REJECTED',
      `Your wallet could not sign the transaction (${why.split('\n')[0]!.slice(0, 160)}). Nothing was sent.`,
    );
  }
  const rpc = /^(\d{4}):\s*(.*)$/s.exec(message);
  const code = rpc ? Number(rpc[1]) : (err as { code?: unknown }).code;
  if (code === 1010 || /Invalid Transaction/i.test(message)) {
    const detail = message
      .replace(/^\d{4}:\s*/, '')
      .split('\n')[0]!
      .slice(0, 200);
    if (/pay some fees|balance too low|Payment/i.test(message)) {
      return new PublishError(
        'INVALID',
        `The node refused the transaction: this account cannot pay the fee (${detail}). Add some AZERO to it and try again.`,
        endpoint,
      );
    }
    if (/BadProof|bad signature|signature/i.test(message)) {
      return new PublishError(
        'INVALID',
        `The node refused the transaction's signature (${detail}). Make sure the wallet signs with the chosen account on this network, and try again.`,
        endpoint,
      );
    }
    if (/Stale|Outdated|Future/i.test(message)) {
      return new PublishError(
        'INVALID',
        `The node refused the transaction (${detail}): another transaction from this account was probably sent at the same time. Try again.`,
        endpoint,
      );
    }
    return new PublishError('INVALID', `The node refused the transaction (${detail}). Nothing was published.`, endpoint);
  }
  if (code === 1012 || code === 1013 || code === 1014) {
    return new PublishError(
      'INVALID',
      `The node did not accept the transaction (${message.slice(0, 160)}): another one from this account may be pending. Wait a minute and try again.`,
      endpoint,
    );
  }
  if (!connected || /disconnected|not connected|WebSocket is not connected/i.test(message)) {
    return PublishError.unreachable(endpoint, 'the connection dropped before the transaction was sent; nothing was published');
  }
  return PublishError.chain(`sending the transaction failed (${message.split('\n')[0]!.slice(0, 200)})`, endpoint);
}
