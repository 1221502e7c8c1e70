// Date sort for the search page (the 1.5.2 Component UI has no sort control). The URL is the one
// the Component UI imports, so this is the same module instance.
import { setSort } from "./pagefind.js";

document.getElementById("search-sort").addEventListener("change", (event) => {
  setSort(event.target.value ? { date: event.target.value } : null);
  const instance = window.PagefindComponents?.getInstanceManager().getInstance("default");
  if (instance?.searchTerm) instance.triggerSearch(instance.searchTerm);
});
