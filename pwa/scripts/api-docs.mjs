// After `vite build`: the API reference's assets (Swagger UI, pinned in package.json) beside the
// app in dist/api-docs/, so the server hosts them itself: no script from a CDN ever runs on the
// app's origin. Not precached by the service worker (workbox ran before this step).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const from = join(root, "node_modules", "swagger-ui-dist");
const to = join(root, "dist", "api-docs");
mkdirSync(to, { recursive: true });
for (const name of ["swagger-ui-bundle.js", "swagger-ui.css"]) copyFileSync(join(from, name), join(to, name));
const { version } = JSON.parse(readFileSync(join(from, "package.json"), "utf8"));
writeFileSync(join(to, "VERSION"), `swagger-ui-dist ${version}\n`);
// The page's one script of its own, a file rather than inline so the CSP needs no exception.
writeFileSync(
  join(to, "init.js"),
  `window.addEventListener("load", () => {
  const root = document.getElementById("docs");
  window.SwaggerUIBundle({ url: root.dataset.url, domNode: root, deepLinking: true });
});
`,
);
