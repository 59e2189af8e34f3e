// Test harness: runs the independent JavaScript verifier over many cases in one process.
// Reads {"cases": [...]} or {"canonicalize": [...]} as JSON on stdin; writes JSON results.
//   case: {"log": text, "previous": text|null, "key": base64url|null, "receipts": [text, ...]}
import { readFileSync } from "node:fs";
import { Unreadable, canonicalize, loadJson, parseJson, verifyLog } from "../../tools/verify-js/verify.mjs";

const request = JSON.parse(readFileSync(0, "utf8"));

function readText(text) {
  return loadJson(Buffer.from(text, "utf8"));
}

function run(item) {
  try {
    const doc = readText(item.log);
    const previous = item.previous == null ? null : readText(item.previous);
    const key = item.key == null ? null : Buffer.from(item.key, "base64url");
    const receipts = (item.receipts || []).map(readText);
    const result = verifyLog(doc, { previous, key, receipts, fairness: Boolean(item.fairness) });
    if (!item.fairness || !result.ok) {
      delete result.fair;
      delete result.lines;
      delete result.fairness;
    } else {
      delete result.fairness;
    }
    return result;
  } catch (error) {
    if (error instanceof Unreadable) return { unreadable: error.message };
    throw error;
  }
}

let output;
if (request.cases) {
  output = request.cases.map(run);
} else {
  output = request.canonicalize.map((text) => {
    try {
      return { hex: Buffer.from(canonicalize(parseJson(text)), "utf8").toString("hex") };
    } catch (error) {
      return { error: String(error.message) };
    }
  });
}
process.stdout.write(JSON.stringify(output));
