import { describe, expect, it } from 'vitest';
import { CopybaraError, ReplyError } from '../../../lib/errors';
import {
  decodeLinkHostsReply,
  decodeLinkHostsRequest,
  decodeLinkHostsUpdate,
  isLinkHostsRequest,
  linkHostsUpdate,
} from '../../../lib/ext/link-hosts-message';

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (err instanceof CopybaraError || err instanceof ReplyError) return err.code;
    throw err;
  }
  return 'no error';
};

describe('link hosts messages', () => {
  it('the update lists the default host, then the configured one when it differs', () => {
    expect(linkHostsUpdate('links.example.org')).toEqual({ type: 'link-hosts', hosts: ['copybara.network', 'links.example.org'] });
    expect(linkHostsUpdate('copybara.network').hosts).toEqual(['copybara.network']);
    expect(linkHostsUpdate(null).hosts).toEqual(['copybara.network']);
    expect(decodeLinkHostsUpdate(linkHostsUpdate('links.example.org'))).toEqual(linkHostsUpdate('links.example.org'));
  });

  it('the request is exactly {type}', () => {
    expect(isLinkHostsRequest({ type: 'link-hosts' })).toBe(true);
    expect(isLinkHostsRequest({ type: 'answer-link', payload: 'x' })).toBe(false);
    expect(isLinkHostsRequest('link-hosts')).toBe(false);
    expect(decodeLinkHostsRequest({ type: 'link-hosts' })).toEqual({ type: 'link-hosts' });
    expect(codeOf(() => decodeLinkHostsRequest({ type: 'link-hosts', extra: 1 }))).toBe('BAD_MESSAGE');
  });

  it.each([
    ['not an object', 'copybara.network'],
    ['an extra field', { type: 'link-hosts', hosts: ['copybara.network'], x: 1 }],
    ['another type', { type: 'link-host', hosts: ['copybara.network'] }],
    ['no hosts', { type: 'link-hosts', hosts: [] }],
    ['three hosts', { type: 'link-hosts', hosts: ['copybara.network', 'a.example', 'b.example'] }],
    ['the default missing', { type: 'link-hosts', hosts: ['links.example.org'] }],
    ['the default twice', { type: 'link-hosts', hosts: ['copybara.network', 'copybara.network'] }],
    ['a URL for a host', { type: 'link-hosts', hosts: ['copybara.network', 'https://evil.example/'] }],
    ['upper case', { type: 'link-hosts', hosts: ['copybara.network', 'EVIL.example'] }],
    ['a number', { type: 'link-hosts', hosts: ['copybara.network', 7] }],
    ['hosts not a list', { type: 'link-hosts', hosts: 'copybara.network' }],
  ])('an update with %s is refused as BAD_MESSAGE', (_what, value) => {
    expect(codeOf(() => decodeLinkHostsUpdate(value))).toBe('BAD_MESSAGE');
  });

  it('a reply carries the update, or the background error with its code', () => {
    expect(decodeLinkHostsReply({ ok: true, result: linkHostsUpdate('links.example.org') }).hosts).toEqual([
      'copybara.network',
      'links.example.org',
    ]);
    expect(codeOf(() => decodeLinkHostsReply({ ok: false, error: { code: 'CALL_NOT_ALLOWED', message: 'no' } }))).toBe('CALL_NOT_ALLOWED');
    expect(codeOf(() => decodeLinkHostsReply({ ok: true, result: { type: 'link-hosts', hosts: ['evil.example'] } }))).toBe('BAD_MESSAGE');
    expect(codeOf(() => decodeLinkHostsReply({ ok: true, result: linkHostsUpdate(null), more: 1 }))).toBe('BAD_MESSAGE');
    expect(codeOf(() => decodeLinkHostsReply(undefined))).toBe('BAD_MESSAGE');
  });
});
