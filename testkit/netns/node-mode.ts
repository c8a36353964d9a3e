// How a node is put in each connection mode: the one place that says so. Private mode (only
// through blind relays, found on the DHT) is `--relay find` today; when it becomes the node's
// default and `--direct` turns it off, only this function changes.
export type NodeMode = 'private' | 'direct';

export function nodeModeFlags(mode: NodeMode): string[] {
  return mode === 'private' ? ['--relay', 'find'] : [];
}
