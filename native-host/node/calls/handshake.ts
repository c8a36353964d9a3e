import type { SignallingMessage } from '../../../lib/protocol/signalling';
import type { Log } from '../../common/log';
import type { PeerLink } from '../network/backend';
import type { UnrungConnections } from './ring-gate';

export type Ring = Extract<SignallingMessage, { type: 'ring' }>;

// A connection some other node opened to us must say why it came: its first message
// other than a ping must be a ring, within `timeoutMs`. Pings before it are answered, since
// a caller's keep-alive starts with the connection and its dialer counts a pong as proof
// that we see the connection. Anything else closes the connection; a ring is handed on
// with the link, whose listeners are then the receiver's business. Until then the link
// counts among `unrung`, which may close it to make room.
export function awaitRing(
  link: PeerLink,
  timeoutMs: number,
  log: Log,
  onRing: (link: PeerLink, ring: Ring) => void,
  unrung?: UnrungConnections<PeerLink>,
): void {
  const timer = setTimeout(() => {
    log('incoming connection said nothing; closed');
    link.close();
  }, timeoutMs);
  const onmessage = (m: SignallingMessage) => {
    if (m.type === 'ping') return link.send({ type: 'pong', seq: m.seq });
    onclose();
    if (m.type !== 'ring') {
      log(`incoming connection began with "${m.type}", not "ring"; closed`);
      return link.close();
    }
    onRing(link, m);
  };
  const onclose = () => {
    clearTimeout(timer);
    unrung?.remove(link);
    link.off('message', onmessage);
    link.off('close', onclose);
  };
  link.on('message', onmessage);
  link.on('close', onclose);
  unrung?.add(link);
}
