// A Web Worker hosting one Pagefind bundle (host.js), answering the page's calls by number:
// {id, method, args} → {id, value} or {id, error}.
import { BundleHost } from "./host.js";

const host = new BundleHost();

self.onmessage = async ({ data: { id, method, args } }) => {
  try {
    self.postMessage({ id, value: await host[method](...args) });
  } catch (error) {
    self.postMessage({ id, error: String(error?.message ?? error) });
  }
};
