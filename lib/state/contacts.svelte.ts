import { localArea, onLocalChange } from '../browser/local-storage';
import { CONTACTS_KEY, type Contact, type ContactDraft, type ContactErrors, ContactsStore, addressOf } from '../ext/contacts';
import { parseName } from '../names/name';

// Contacts as a page sees them: the list (kept fresh when another page changes it) and
// the add/edit form. Used by the popup and by the call page's "Save contact".

export interface ContactEditor {
  // null: a new contact.
  id: string | null;
  draft: ContactDraft;
  errors: ContactErrors;
  // For a new contact made from a verified call: the node its name pointed to.
  lastNodeId: string | null;
}

const SAVED_MS = 2000;

class ContactsState {
  list = $state.raw<Contact[]>([]);
  editor = $state<ContactEditor | null>(null);
  saving = $state(false);
  // Feedback after a save, e.g. "Saved Bob".
  saved = $state<string | null>(null);

  private readonly store = new ContactsStore(localArea(), parseName);
  private started = false;
  private savedTimer: ReturnType<typeof setTimeout> | null = null;

  start(): void {
    if (this.started) return;
    this.started = true;
    void this.refresh();
    onLocalChange([CONTACTS_KEY], () => void this.refresh());
  }

  async refresh(): Promise<void> {
    try {
      this.list = await this.store.list();
    } catch (err) {
      console.warn('Copybara: reading the contacts failed', err);
    }
  }

  add(prefill: Partial<ContactDraft> & { lastNodeId?: string | null } = {}): void {
    this.editor = {
      id: null,
      draft: { nickname: prefill.nickname ?? '', address: prefill.address ?? '' },
      errors: {},
      lastNodeId: prefill.lastNodeId ?? null,
    };
  }

  edit(contact: Contact): void {
    this.editor = { id: contact.id, draft: { nickname: contact.nickname, address: addressOf(contact) }, errors: {}, lastNodeId: null };
  }

  cancelEdit(): void {
    this.editor = null;
  }

  // Returns the saved contact, or null when the form has errors (shown in it).
  async save(): Promise<Contact | null> {
    const editor = this.editor;
    if (!editor || this.saving) return null;
    this.saving = true;
    try {
      const draft = { ...editor.draft };
      const result = editor.id === null ? await this.store.add(draft, editor.lastNodeId) : await this.store.update(editor.id, draft);
      if (!result.ok) {
        editor.errors = result.errors;
        return null;
      }
      this.editor = null;
      this.flash(`Saved ${result.contact.nickname}`);
      await this.refresh();
      return result.contact;
    } catch (err) {
      editor.errors = { nickname: `The contact could not be saved (${err instanceof Error ? err.message : String(err)}).` };
      return null;
    } finally {
      this.saving = false;
    }
  }

  async remove(contact: Contact): Promise<void> {
    await this.store.remove(contact.id);
    if (this.editor?.id === contact.id) this.editor = null;
    this.flash(`Deleted ${contact.nickname}`);
    await this.refresh();
  }

  // A call to the contact's name reached `nodeId`.
  async seen(contact: Contact, nodeId: string): Promise<void> {
    await this.store.seen(contact.id, nodeId).catch((err: unknown) => console.warn('Copybara: updating a contact failed', err));
    await this.refresh();
  }

  private flash(words: string): void {
    this.saved = words;
    if (this.savedTimer) clearTimeout(this.savedTimer);
    this.savedTimer = setTimeout(() => (this.saved = null), SAVED_MS);
  }
}

export const contactsState = new ContactsState();
