import type { Plugin } from "vite";

export const LOCALES_DIR: string;
export const LANGUAGES: string[];
export const SURFACES: string[];
export function readCatalog(surface: string, language: string): { messages: Record<string, string>; files: string[] };
export function catalogs(): Plugin;
