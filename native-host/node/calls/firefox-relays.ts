import { CopybaraError } from '../../../lib/errors';
import type { Log } from '../../common/log';
import { defaultRouteAddress, localAddresses } from '../network/local-addresses';
import { TurnServer } from '../turn/server';

export interface FirefoxRelaysOptions {
  log: Log;
  // Injectable for tests: where to listen (null: nowhere), and which sources are this machine.
  address?: () => Promise<string | null>;
  ownAddresses?: () => ReadonlySet<string>;
}

// The TURN listeners of Firefox calls, one per call. Firefox skips a TURN server on any
// loopback address, so a Firefox call tab is given one on the machine's default-route address,
// looked up when the call asks (the network may have changed since the node started). Such a
// port is reachable from the LAN, so it exists only while its call has media, knows only that
// call's credential, and drops everything that does not come from this machine unanswered.
export class FirefoxRelays {
  private readonly _o: FirefoxRelaysOptions;
  private readonly _servers = new Map<string, Promise<TurnServer>>();

  constructor(opts: FirefoxRelaysOptions) {
    this._o = opts;
  }

  /** The call's listener, opened on first use; throws NO_LOCAL_ADDRESS without a network. */
  open(callId: string): Promise<TurnServer> {
    let server = this._servers.get(callId);
    if (!server) {
      server = this._start(callId);
      this._servers.set(callId, server);
      // A failed start leaves nothing behind: the next ask (after connecting) tries again.
      server.catch(() => {
        if (this._servers.get(callId) === server) this._servers.delete(callId);
      });
    }
    return server;
  }

  has(callId: string): boolean {
    return this._servers.has(callId);
  }

  /** Closes the call's listener, if it has one; the port is free once this resolves. */
  async close(callId: string): Promise<void> {
    const server = this._servers.get(callId);
    if (!server) return;
    this._servers.delete(callId);
    const s = await server.catch(() => null);
    if (s) {
      await s.close();
      this._o.log(`call ${callId.slice(0, 8)}: Firefox relay on ${s.host}:${s.port} closed`);
    }
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this._servers.keys()].map((id) => this.close(id)));
  }

  private async _start(callId: string): Promise<TurnServer> {
    const host = await (this._o.address ?? defaultRouteAddress)();
    if (host === null) throw CopybaraError.NO_LOCAL_ADDRESS();
    const server = new TurnServer({
      host,
      onlyFrom: (this._o.ownAddresses ?? localAddresses)(),
      log: (l) => this._o.log(`turn ${host}: ${l}`),
    });
    try {
      await server.listen();
    } catch (err) {
      await server.close();
      throw CopybaraError.INTERNAL(`the Firefox call relay could not listen on ${host}: ${String(err)}`);
    }
    this._o.log(`call ${callId.slice(0, 8)}: Firefox relay listening on ${host}:${server.port}`);
    return server;
  }
}
