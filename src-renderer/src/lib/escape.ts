/**
 * An action: Escape pressed anywhere inside the element (an inline form, a confirmation) calls `handler`.
 * Keyboard handling for a group of controls, kept out of the markup's event attributes.
 */
export function onEscape(node: HTMLElement, handler: () => void): { update(next: () => void): void; destroy(): void } {
  let current = handler;
  const listener = (event: KeyboardEvent) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    event.stopPropagation();
    current();
  };
  node.addEventListener('keydown', listener);
  return {
    update(next) {
      current = next;
    },
    destroy() {
      node.removeEventListener('keydown', listener);
    },
  };
}
