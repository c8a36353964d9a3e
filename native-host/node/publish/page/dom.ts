// The few DOM helpers the publishing page needs; plain DOM keeps its bundle to polkadot's
// weight alone. Text goes in through textContent only: names and labels come from wallets
// and the chain.

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

export function show(el: HTMLElement, visible: boolean): void {
  el.hidden = !visible;
}

export function clear(el: HTMLElement): void {
  el.replaceChildren();
  el.className = '';
}

// Replaces what a status region says (its role=status makes screen readers read it out).
export function say(el: HTMLElement, text: string, kind: 'problem' | 'done' | null = null): void {
  el.textContent = text;
  el.className = kind ?? '';
}

// Radio buttons, each inside its label, calling `onchoose` with the chosen value.
export function choiceList(
  container: HTMLElement,
  name: string,
  items: { value: string; label: string }[],
  onchoose: (value: string) => void,
): void {
  container.replaceChildren(
    ...items.map((item) => {
      const label = document.createElement('label');
      const input = document.createElement('input');
      input.type = 'radio';
      input.name = name;
      input.value = item.value;
      input.addEventListener('change', () => input.checked && onchoose(item.value));
      label.append(input, ` ${item.label}`);
      return label;
    }),
  );
}
