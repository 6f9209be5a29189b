// What the header's small panels (notifications, presence) share: a click elsewhere, the
// focus leaving them, or Escape closes them; Escape puts the focus back on their button.
import { useLayoutEffect } from 'preact/hooks';

/** While mounted: closes the panel ``panelRef`` (opened by ``buttonRef``) as a popover does.
 * (A layout effect: listening from the very render that opens it, so an Escape pressed at
 * once is heard.) */
export function useDismiss(panelRef, buttonRef, onClose) {
  useLayoutEffect(() => {
    const inside = (node) => panelRef.current?.contains(node) || buttonRef.current?.contains(node);
    const onPointer = (event) => {
      if (!inside(event.target)) onClose({ refocus: false });
    };
    const onKey = (event) => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      event.stopPropagation();
      onClose({ refocus: true });
    };
    const onFocusOut = (event) => {
      // Tab past the panel's last control (or Shift+Tab before its first) closes it
      if (event.relatedTarget && !inside(event.relatedTarget)) onClose({ refocus: false });
    };
    const [panel, button] = [panelRef.current, buttonRef.current];
    document.addEventListener('pointerdown', onPointer, true);
    panel?.addEventListener('keydown', onKey);
    button?.addEventListener('keydown', onKey);
    panel?.addEventListener('focusout', onFocusOut);
    return () => {
      document.removeEventListener('pointerdown', onPointer, true);
      panel?.removeEventListener('keydown', onKey);
      button?.removeEventListener('keydown', onKey);
      panel?.removeEventListener('focusout', onFocusOut);
    };
  }, []);
}
