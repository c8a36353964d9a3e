// Which context menu entries exist, asked from inside the extension (Chromium's worker, or any
// Firefox extension page): update() fails for an id that was never created. Passed to the
// browser's evaluate(), so it uses nothing from outside itself.
export async function menuEntriesExist(ids: string[]): Promise<boolean[]> {
  type Menus = { update(id: string, p: object): Promise<void> };
  const g = globalThis as unknown as { browser?: { contextMenus: Menus }; chrome?: { contextMenus: Menus } };
  const menus = (g.browser ?? g.chrome)!.contextMenus;
  const out: boolean[] = [];
  for (const id of ids) {
    out.push(
      await menus.update(id, {}).then(
        () => true,
        () => false,
      ),
    );
  }
  return out;
}

// The two entries the extension makes, and one it does not (which must not exist).
export const MENU_IDS_PROBED = ['copybara-answer-link', 'copybara-answer-selection', 'no-such-menu'];
