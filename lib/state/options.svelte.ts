import { localArea } from '../browser/local-storage';
import {
  DEFAULT_ENDPOINTS,
  type SettingsDraft,
  type SettingsErrors,
  SettingsStore,
  defaultSettings,
  draftOf,
  validateSettings,
} from '../ext/settings';
import { parseName } from '../names/name';

// The options page's state: the form as typed, its errors in words, and Save.

const SAVED_MS = 3000;

class OptionsState {
  draft = $state<SettingsDraft>(draftOf(defaultSettings()));
  errors = $state<SettingsErrors>({});
  loaded = $state(false);
  saving = $state(false);
  saved = $state(false);
  failure = $state<string | null>(null);

  private readonly store = new SettingsStore(localArea(), parseName);
  private savedTimer: ReturnType<typeof setTimeout> | null = null;

  async start(): Promise<void> {
    try {
      this.draft = draftOf(await this.store.load());
    } catch (err) {
      this.failure = `The saved settings could not be read (${err instanceof Error ? err.message : String(err)}); showing the defaults.`;
    }
    this.loaded = true;
  }

  // Any edit makes an earlier "Saved" stale.
  edited(): void {
    this.saved = false;
  }

  restoreDefault(chain: 'azero' | 'tzero'): void {
    this.draft[chain] = DEFAULT_ENDPOINTS[chain].join('\n');
    delete this.errors[chain];
    this.edited();
  }

  async save(): Promise<void> {
    if (this.saving) return;
    const checked = validateSettings(this.draft, parseName);
    if (!checked.ok) {
      this.errors = checked.errors;
      this.saved = false;
      return;
    }
    this.errors = {};
    this.saving = true;
    this.failure = null;
    try {
      await this.store.save(checked.value);
      // Show what was stored: trimmed, without repeats, the name in its canonical form.
      this.draft = draftOf(checked.value);
      this.saved = true;
      if (this.savedTimer) clearTimeout(this.savedTimer);
      this.savedTimer = setTimeout(() => (this.saved = false), SAVED_MS);
    } catch (err) {
      this.failure = `The settings could not be saved (${err instanceof Error ? err.message : String(err)}).`;
    } finally {
      this.saving = false;
    }
  }
}

export const optionsState = new OptionsState();
