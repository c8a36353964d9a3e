import { type Site, firstOf } from '../site';

// Element (Matrix): the room timeline is an <ol class="mx_RoomView_MessageList">; threads
// open in the right panel with a timeline of their own.
export const element: Site = {
  id: 'element',
  matches: ['https://app.element.io/*'],
  messageRoot: (doc) => firstOf(doc, ['.mx_RoomView_MessageList', '.mx_RoomView_messagePanel']),
};

// Test URLs:
// https://app.element.io/#/room/#matrix:matrix.org
