// The search page's own controls. The URL is the one the Component UI imports, so this is the
// same module instance.
import { init, setSort } from "./pagefind.js";

// Load the bundles (WASM, filter index) while the reader is still typing, not after.
document.querySelector("pagefind-input")?.addEventListener("focusin", () => init(), { once: true });

// Date sort (the 1.5.2 Component UI has no sort control).
document.getElementById("search-sort").addEventListener("change", (event) => {
  setSort(event.target.value ? { date: event.target.value } : null);
  const instance = window.PagefindComponents?.getInstanceManager().getInstance("default");
  if (instance?.searchTerm) instance.triggerSearch(instance.searchTerm);
});
