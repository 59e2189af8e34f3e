// Test harness: runs the independent JavaScript record verifier over many cases in one process.
// Reads {"cases": [{"record": text, "key": base64url|null, "logs": [text, ...]}]} on stdin.
import { readFileSync } from "node:fs";
import { verifyRecord } from "../../tools/verify-js/record.mjs";
import { Unreadable, loadJson } from "../../tools/verify-js/verify.mjs";

const request = JSON.parse(readFileSync(0, "utf8"));
const read = (text) => loadJson(Buffer.from(text, "utf8"));

function run(item) {
  try {
    const record = read(item.record);
    const key = item.key == null ? null : Buffer.from(item.key, "base64url");
    const logs = (item.logs || []).map(read);
    return verifyRecord(record, { key, logs });
  } catch (error) {
    if (error instanceof Unreadable) return { unreadable: error.message };
    throw error;
  }
}

process.stdout.write(JSON.stringify(request.cases.map(run)));
