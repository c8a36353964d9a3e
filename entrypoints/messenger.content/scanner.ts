import { type LinkChecker, type LinkVerdict, payloadInHref, payloadsInText } from '../../lib/links/scan';

// Finding call links in a live page as messages arrive, with bounded work: a
// MutationObserver only queues nodes; the queue is walked in slices (one per animation
// frame) that stop after a time budget, a number of nodes and a number of signature checks,
// so a flood of messages cannot freeze the page. Reads only: nothing found here leaves the
// page; what a badge is, is the caller's `render`.

export interface ScanLimits {
  sliceMs: number; // time budget of one slice
  nodesPerSlice: number; // nodes visited per slice
  decodesPerSlice: number; // signature checks per slice (cached ones are free)
  maxQueue: number; // queued nodes before falling back to one walk of the whole scope
  maxBadges: number; // badges on the page at once; past it decoration stops
  // Badges are written to the page in batches: every DOM change costs the page a style,
  // layout and paint pass that grows with its size, so a flood must not change it every frame.
  // Frames, not milliseconds: on a page where each change costs more than a frame, a time
  // limit would be passed every frame and bring back the cost it is there to avoid.
  flushSlices: number; // slices a found badge waits at most while scanning goes on
  flushBadges: number; // or until this many wait
}

export const DEFAULT_SCAN_LIMITS: ScanLimits = {
  sliceMs: 8,
  nodesPerSlice: 3000,
  decodesPerSlice: 4,
  maxQueue: 5000,
  maxBadges: 500,
  flushSlices: 20,
  flushBadges: 100,
};

export interface LinkScannerOptions {
  document: Document;
  // Where messages live, asked again every slice (messengers swap chats in and out).
  scope(): Element | null;
  hosts: readonly string[];
  checker: LinkChecker;
  now(): number; // ms since the epoch, for link times
  render(verdict: LinkVerdict): Element; // one badge; the scanner places it
  schedule(run: () => void): void; // the next slice (requestAnimationFrame)
  clock?(): number; // ms, for the slice budget
  limits?: Partial<ScanLimits>;
  log?(message: string): void;
}

export interface LinkScanner {
  start(): void;
  stop(opts?: { removeBadges?: boolean }): void;
  readonly state: 'idle' | 'busy' | 'capped' | 'stopped';
  readonly badges: number;
}

interface Seen {
  key: string; // href or text it was decorated for
  badges: Element[];
}

// Never looked into: code, form fields, editors (a badge in a composer would be sent along),
// embedded documents, and our own badges.
const SKIP_TAGS = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'textarea',
  'input',
  'select',
  'option',
  'iframe',
  'object',
  'embed',
  'svg',
  'math',
  'canvas',
  'head',
  'title',
]);
const SKIP_ABOVE = `${[...SKIP_TAGS].join(',')},[contenteditable]:not([contenteditable="false"]),[data-copybara-badge]`;

export function createLinkScanner(o: LinkScannerOptions): LinkScanner {
  const limits = { ...DEFAULT_SCAN_LIMITS, ...o.limits };
  const clock = o.clock ?? (() => performance.now());
  const doc = o.document;
  const seen = new WeakMap<Node, Seen>();
  const live = new Set<Element>(); // badges made, placed or about to be
  const unplaced = new Set<Element>();
  let writes: { after: ChildNode; badges: Element[] }[] = [];
  let slicesSinceFlush = 0;
  let queue: Node[] = [];
  let head = 0;
  let rescan = true;
  let root: Element | null = null;
  let walker: TreeWalker | null = null;
  let resume: Node | null = null; // a node whose links wait for their checks
  let observer: MutationObserver | null = null;
  let scheduled = false;
  let state: LinkScanner['state'] = 'idle';

  const filter = (node: Node): number => {
    if (node.nodeType !== 1) return NodeFilter.FILTER_ACCEPT;
    const el = node as Element;
    if (SKIP_TAGS.has(el.localName) || el.hasAttribute('data-copybara-badge')) return NodeFilter.FILTER_REJECT;
    const editable = el.getAttribute('contenteditable');
    return editable !== null && editable !== 'false' ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
  };

  // A function, so a check after visit() is not narrowed away by the one before it.
  const halted = (): boolean => state === 'capped' || state === 'stopped';

  function wake(): void {
    if (scheduled || halted()) return;
    scheduled = true;
    state = 'busy';
    o.schedule(slice);
  }

  function enqueue(node: Node): void {
    if (rescan || (node.nodeType === 1 && (node as Element).hasAttribute('data-copybara-badge'))) return;
    if (queue.length - head >= limits.maxQueue) {
      rescan = true; // cheaper than remembering every node: walk everything once more
      queue = [];
      head = 0;
      return;
    }
    queue.push(node);
  }

  function onMutations(records: MutationRecord[]): void {
    for (const r of records) {
      if (r.type === 'childList') for (const n of r.addedNodes) enqueue(n);
      else enqueue(r.target);
    }
    wake();
  }

  function slice(): void {
    scheduled = false;
    if (state !== 'busy') return;
    const t0 = clock();
    const budget = { nodes: 0, decodes: 0 };
    const spent = () => budget.nodes >= limits.nodesPerSlice || budget.decodes >= limits.decodesPerSlice || clock() - t0 >= limits.sliceMs;
    const scope = o.scope();
    if (scope !== root) {
      root = scope;
      rescan = true;
    }
    if (rescan) {
      rescan = false;
      queue = root ? [root] : [];
      head = 0;
      walker = null;
      resume = null;
    }
    while (!spent()) {
      if (!walker) {
        const next = nextQueued();
        if (!next) break;
        walker = doc.createTreeWalker(next, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, filter);
        resume = filter(next) === NodeFilter.FILTER_ACCEPT ? next : null;
        if (!resume) {
          walker = null;
          continue;
        }
      } else if (!walker.currentNode.isConnected) {
        // Removed while we paused: start this subtree again if it is still there.
        const top = walker.root;
        walker = null;
        resume = null;
        if (top.isConnected) queue.splice(head, 0, top);
        continue;
      }
      const node = resume ?? walker.nextNode();
      resume = null;
      if (!node) {
        walker = null;
        continue;
      }
      budget.nodes++;
      if (!visit(node, budget, spent)) {
        walker.currentNode = node;
        resume = node;
        break;
      }
      if (halted()) return;
    }
    const more = walker !== null || head < queue.length || rescan;
    if (!more || unplaced.size >= limits.flushBadges || ++slicesSinceFlush >= limits.flushSlices) flush();
    if (more) wake();
    else state = 'idle';
  }

  function flush(): void {
    for (const w of writes) {
      const badges = w.badges.filter((b) => unplaced.has(b));
      if (!badges.length) continue;
      if (w.after.parentNode) w.after.after(...badges);
      else for (const b of badges) live.delete(b);
    }
    writes = [];
    unplaced.clear();
    slicesSinceFlush = 0;
  }

  // The next queued node inside the scope and not inside anything we never look into.
  function nextQueued(): Node | null {
    while (head < queue.length) {
      const node = queue[head++]!;
      if (head > 1024 && head * 2 > queue.length) {
        queue = queue.slice(head);
        head = 0;
      }
      if (!root || !node.isConnected || !root.contains(node)) continue;
      const parent = node.parentElement;
      if (node !== root && parent && parent !== root && parent.closest(SKIP_ABOVE)) continue;
      return node;
    }
    return null;
  }

  // False: the node's links need more checks than this slice has left; visit it again.
  function visit(node: Node, budget: { decodes: number }, spent: () => boolean): boolean {
    let key: string;
    let payloads: string[];
    let after: Node = node;
    if (node.nodeType === 3) {
      key = (node as Text).data;
      payloads = payloadsInText(key);
      if (payloads.length) {
        // Inside a call link's anchor the anchor speaks for it; inside any other anchor the
        // badge goes after the anchor, so clicking it does not follow that link.
        const anchor = node.parentElement?.closest('a[href]') as HTMLAnchorElement | null;
        if (anchor && anchorPayload(anchor)) payloads = [];
        else if (anchor) after = anchor;
      }
    } else {
      const el = node as Element;
      if (el.localName !== 'a') return true;
      key = typeof (el as HTMLAnchorElement).href === 'string' ? (el as HTMLAnchorElement).href : '';
      const payload = anchorPayload(el as HTMLAnchorElement);
      payloads = payload ? [payload] : [];
    }
    const prev = seen.get(node);
    if (prev?.key === key && prev.badges.every((b) => b.isConnected || unplaced.has(b))) return true;
    if (!payloads.length) {
      if (prev) forget(node, prev);
      return true;
    }
    for (const p of payloads) {
      if (o.checker.isCached(p)) continue;
      if (budget.decodes > 0 && spent()) return false;
      o.checker.check(p, o.now());
      budget.decodes++;
    }
    if (prev) forget(node, prev);
    if (!after.parentNode) return true;
    const badges: Element[] = [];
    for (const p of payloads) {
      if (!room()) break;
      const badge = o.render(o.checker.check(p, o.now()));
      badges.push(badge);
      live.add(badge);
      unplaced.add(badge);
    }
    if (badges.length) writes.push({ after: after as ChildNode, badges });
    seen.set(node, { key, badges });
    if (!room()) cap();
    return true;
  }

  function anchorPayload(a: HTMLAnchorElement): string | null {
    return typeof a.href === 'string' ? payloadInHref(a.href, o.hosts) : null;
  }

  function forget(node: Node, prev: Seen): void {
    for (const b of prev.badges) {
      b.remove();
      live.delete(b);
      unplaced.delete(b);
    }
    seen.delete(node);
  }

  function room(): boolean {
    if (live.size < limits.maxBadges) return true;
    for (const b of live) if (!b.isConnected && !unplaced.has(b)) live.delete(b);
    return live.size < limits.maxBadges;
  }

  function cap(): void {
    flush();
    state = 'capped';
    observer?.disconnect();
    queue = [];
    head = 0;
    walker = null;
    o.log?.(`${limits.maxBadges} call links are marked on this page; not marking more (reload the page to start again).`);
  }

  return {
    get state() {
      return state;
    },
    get badges() {
      return live.size;
    },
    start() {
      if (observer || state === 'stopped') return;
      const MO = doc.defaultView?.MutationObserver ?? MutationObserver;
      observer = new MO(onMutations);
      observer.observe(doc.body ?? doc.documentElement, {
        childList: true,
        subtree: true,
        characterData: true,
        attributes: true,
        attributeFilter: ['href'],
      });
      rescan = true;
      wake();
    },
    stop(opts = {}) {
      state = 'stopped';
      observer?.disconnect();
      observer = null;
      queue = [];
      walker = null;
      if (opts.removeBadges) for (const b of live) b.remove();
      live.clear();
      unplaced.clear();
      writes = [];
    },
  };
}
