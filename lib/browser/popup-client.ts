import browser from 'webextension-polyfill';
import {
  POPUP_PORT,
  type PopupRequest,
  type PopupResults,
  type PopupView,
  decodePopupPush,
  decodePopupView,
  decodePublishStarted,
  decodeReply,
  decodeResolution,
  unwrap,
} from '../ext/messages';
import { decodeCallInfo } from '../protocol/native';
import { decodeLinkInfo, decodeSiteInfo } from '../protocol/native';

// The popup's only line to the background: requests by runtime.sendMessage, and a
// "popup" port on which the background pushes the whole view whenever it changes.

const DECODERS: { [K in PopupRequest['type']]: (value: unknown) => PopupResults[K] } = {
  view: decodePopupView,
  resolve: decodeResolution,
  cancel: () => null,
  call: decodeCallInfo,
  focus: () => null,
  retry: () => null,
  'make-link': decodeLinkInfo,
  'wait-link': () => null,
  publish: decodePublishStarted,
  site: decodeSiteInfo,
};

export async function ask<K extends PopupRequest['type']>(request: Extract<PopupRequest, { type: K }>): Promise<PopupResults[K]> {
  const reply = await browser.runtime.sendMessage(request);
  return unwrap(decodeReply(reply, DECODERS[request.type] as (value: unknown) => PopupResults[K]));
}

// Calls `onView` with every view the background pushes; returns a function that stops.
export function watchView(onView: (view: PopupView) => void): () => void {
  const port = browser.runtime.connect({ name: POPUP_PORT });
  port.onMessage.addListener((message: unknown) => {
    try {
      onView(decodePopupPush(message).view);
    } catch (err) {
      console.warn('Copybara: ignoring a malformed view from the background', err);
    }
  });
  return () => port.disconnect();
}

// The options page opens in a tab of its own (manifest options_ui.open_in_tab).
export async function openSettings(): Promise<void> {
  await browser.runtime.openOptionsPage();
}
