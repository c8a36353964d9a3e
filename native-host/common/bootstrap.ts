import { CopybaraError } from '../../lib/errors';

export interface HostPort {
  host: string;
  port: number;
}

const HOST = /^(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9](?:[a-zA-Z0-9.-]{0,251}[a-zA-Z0-9])?)$/;

// `host:port[,host:port…]`, the form `copybara-host testnet` prints and COPYBARA_BOOTSTRAP takes.
export function parseBootstrap(text: string): HostPort[] {
  if (typeof text !== 'string' || text.trim() === '') {
    throw CopybaraError.BAD_MESSAGE('the bootstrap list is empty; give host:port[,host:port…]');
  }
  return text.split(',').map((part) => {
    const item = part.trim();
    const colon = item.lastIndexOf(':');
    if (colon <= 0) throw CopybaraError.BAD_MESSAGE(`bootstrap entry "${item}" is not host:port`);
    const host = item.slice(0, colon);
    const portText = item.slice(colon + 1);
    if (!HOST.test(host)) throw CopybaraError.BAD_MESSAGE(`bootstrap entry "${item}" has a malformed host`);
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      throw CopybaraError.BAD_MESSAGE(`bootstrap entry "${item}" has a port outside 1-65535`);
    }
    return { host: host.startsWith('[') ? host.slice(1, -1) : host, port: Number(portText) };
  });
}

export function formatBootstrap(nodes: HostPort[]): string {
  return nodes.map((n) => (n.host.includes(':') ? `[${n.host}]:${n.port}` : `${n.host}:${n.port}`)).join(',');
}

export function isLoopbackHost(host: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === '::1' || host === 'localhost';
}
