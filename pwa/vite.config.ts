import { defineConfig } from "vite";
import { VitePWA } from "vite-plugin-pwa";
import { catalogs } from "./scripts/catalogs.mjs";

// The API (`chorus dev`) serves the built app from pwa/dist; `npm run dev` proxies to it.
const api = process.env.CHORUS_API ?? "http://127.0.0.1:8000";

export default defineConfig({
  // the catalogs arrive parsed (scripts/catalogs.mjs): the browser never needs the ICU parser
  resolve: {
    alias: [
      {
        find: /^@formatjs\/icu-messageformat-parser$/,
        replacement: "@formatjs/icu-messageformat-parser/no-parser.js",
      },
    ],
  },
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    target: "es2020",
    outDir: "dist",
    assetsDir: "assets",
    sourcemap: false,
    // the office wall (wall.html, served at /wall/<secret>) is an entry of its own
    rolldownOptions: { input: { index: "index.html", wall: "wall.html" } },
  },
  server: {
    proxy: Object.fromEntries(["/api", "/s", "/badges/icons"].map((p) => [p, api])),
  },
  plugins: [
    catalogs(),
    VitePWA({
      strategies: "injectManifest",
      srcDir: "src",
      filename: "sw.ts",
      injectRegister: false, // src/main.tsx registers /sw.js itself
      manifestFilename: "manifest.webmanifest",
      injectManifest: {
        globPatterns: ["**/*.{js,css,html,svg,png,webmanifest}"],
        globIgnores: ["wall.html", "assets/wall-*"], // phones never open the office wall
        rollupFormat: "iife",
      },
      includeAssets: ["favicon.svg", "icons/apple-touch-icon.png"],
      manifest: {
        id: "/",
        name: "Chorus — share what your team is proud of",
        short_name: "Chorus",
        description:
          "Share your company's news and your own work stories, earn points and badges, and see your team on the leaderboard.",
        start_url: "/",
        scope: "/",
        display: "standalone",
        orientation: "portrait",
        theme_color: "#4338ca",
        background_color: "#f7f7fb",
        categories: ["business", "productivity", "social"],
        icons: [
          { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
          { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
          { src: "/icons/maskable-192.png", sizes: "192x192", type: "image/png", purpose: "maskable" },
          { src: "/icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        ],
      },
    }),
  ],
});
