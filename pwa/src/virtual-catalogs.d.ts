// Catalogs served by scripts/catalogs.mjs: one surface of one language, as ICU ASTs.
declare module "virtual:catalog/*" {
  import type { MessageFormatElement } from "@formatjs/icu-messageformat-parser";

  const catalog: Record<string, MessageFormatElement[]>;
  export default catalog;
}
