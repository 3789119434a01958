import { extractText } from "unpdf";
import { makePdf } from "/work/main/packages/ai/src/testing/pdf.ts";

const t0 = performance.now();
const r = await extractText(makePdf(["Hello PDF world.", "Second line (with parens)."]), {
  mergePages: true,
});
console.log(JSON.stringify(r), performance.now() - t0);
