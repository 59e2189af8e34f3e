// An independent verifier of Evenfloor signed meeting records (format evenfloor-meeting-record/1),
// written from docs/spec/decision-log-v2.md § Meeting record. It shares no code with the Python
// verifier; it uses verify.mjs's strict JSON reader, RFC 8785 serialiser and decision-log
// verifier (for --log), and node:crypto for SHA-256 and Ed25519. Node 20, no packages.
//
//   node tools/verify-js/verify.mjs RECORD.json [--key KEY] [--log LOG.json ...]
//   node tools/verify-js/record.mjs RECORD.json [--key KEY] [--log LOG.json ...]
//
// verify.mjs hands a file to this module when its format is a meeting record (routeByFormat).
// Exit codes and output as verify.mjs: 0 and one `OK` line, 1 and `FAIL <where>: <why> [<reason>]`,
// 2 and `ERROR ...` on standard error when an input cannot be read.

import { createHash, createPublicKey, verify as verifySignature } from "node:crypto";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

import { Unreadable, canonicalize, loadJson, quote, verifyLog } from "./verify.mjs";

export const RECORD_FORMAT = "evenfloor-meeting-record/1";
const RECORD_MEMBERS = ["format", "public_key", "minutes", "links", "hash", "signed_at", "signature"];
const HASHED_MEMBERS = ["format", "public_key", "minutes", "links"];
const LINK_MEMBERS = ["item", "room_id", "seq", "hash"];
const PRIVATE_ITEM_MEMBERS = ["id", "number", "kind", "private", "title", "log"];
const PRIVATE_LOG_MEMBERS = ["seq", "hash"];
const TIME_RULE = "an RFC 3339 UTC time (YYYY-MM-DDTHH:MM:SS[.fraction]Z)";

class Failure extends Error {
  constructor(location, reason, message) {
    super(`${location}: ${message}`);
    this.location = location;
    this.reason = reason;
    this.detail = message;
  }
}

// ---------------------------------------------------------------- small helpers (own copies)

const isObject = (value) => typeof value === "object" && value !== null && !Array.isArray(value);
const has = (object, name) => Object.prototype.hasOwnProperty.call(object, name);
const isHash = (value) => typeof value === "string" && /^[0-9a-f]{64}$/.test(value);
const safeInt = (value) =>
  typeof value === "number" && Number.isSafeInteger(value) ? (Object.is(value, -0) ? 0 : value) : null;

function byUtf16(a, b) {
  const n = Math.min(a.length, b.length);
  for (let k = 0; k < n; k += 1) {
    const d = a.charCodeAt(k) - b.charCodeAt(k);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function isTime(value) {
  if (typeof value !== "string") return false;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z$/.exec(value);
  if (m === null) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return day <= days && hour <= 23 && minute <= 59 && second <= 60;
}

function b64url(text, length) {
  if (typeof text !== "string") return null;
  if (text.length !== Math.floor((length * 4 + 2) / 3) || !/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const raw = Buffer.from(text, "base64url");
  if (raw.length !== length || raw.toString("base64url") !== text) return null;
  return raw;
}

function ed25519Valid(publicKey, message, signature) {
  try {
    const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: publicKey.toString("base64url") }, format: "jwk" });
    return verifySignature(null, Buffer.from(message, "utf8"), key, signature);
  } catch {
    return false;
  }
}

function members(value, expected, location) {
  for (const name of expected) {
    if (!has(value, name)) throw new Failure(location, "members", `missing member ${quote(name)}`);
  }
  const unexpected = Object.keys(value).filter((n) => !expected.includes(n)).sort(byUtf16);
  if (unexpected.length > 0) throw new Failure(location, "members", `unexpected member ${quote(unexpected[0])}`);
}

const TEXT = { unicode: "is not valid Unicode (it holds a lone surrogate)", nfc: "is not NFC-normalised" };

function textProblem(text) {
  if (/^[\x00-\x7f]*$/.test(text)) return null;
  if (!text.isWellFormed()) return "unicode";
  return text.normalize("NFC") === text ? null : "nfc";
}

function here(path, name) {
  return `${path}/${name.replaceAll("~", "~0").replaceAll("/", "~1")}`;
}

function clean(value, path, location) {
  // What is hashed must be exact: integers in range, valid NFC text. Walked in RFC 8785 order.
  if (typeof value === "string") {
    const problem = textProblem(value);
    if (problem) throw new Failure(location, problem, `text at ${quote(path)} ${TEXT[problem]}`);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => clean(item, here(path, String(index)), location));
  } else if (isObject(value)) {
    for (const name of Object.keys(value).sort(byUtf16)) {
      const at = here(path, name);
      const problem = textProblem(name);
      if (problem) throw new Failure(location, problem, `member name at ${quote(at)} ${TEXT[problem]}`);
      clean(value[name], at, location);
    }
  } else if (value !== null && typeof value !== "boolean" && safeInt(value) === null) {
    throw new Failure(location, "number", `number at ${quote(path)} is not an integer within ±(2**53 - 1)`);
  }
}

// ---------------------------------------------------------------- the checks, in the spec's order

function checkDocument(doc) {
  if (!isObject(doc)) throw new Failure("document", "not_an_object", "the record is not a JSON object");
  members(doc, RECORD_MEMBERS, "document");
  if (doc.format !== RECORD_FORMAT) throw new Failure("document", "format", `format is not ${quote(RECORD_FORMAT)}`);
  if (b64url(doc.public_key, 32) === null) {
    throw new Failure("document", "public_key", "public_key is not 32 bytes in base64url without padding");
  }
  if (!isObject(doc.minutes)) throw new Failure("document", "minutes", "minutes must be an object");
  if (!Array.isArray(doc.links)) throw new Failure("document", "links", "links must be an array");
  if (!isHash(doc.hash)) throw new Failure("document", "hash_format", "hash is not 64 lowercase hex digits");
  if (!isTime(doc.signed_at)) throw new Failure("document", "signed_at", `signed_at is not ${TIME_RULE}`);
  if (b64url(doc.signature, 64) === null) {
    throw new Failure("document", "signature_format", "signature is not 64 bytes in base64url without padding");
  }
}

const itemLabel = (item, index) =>
  safeInt(item.number) !== null ? `item ${safeInt(item.number)}` : `item at position ${index}`;

function checkMinutes(minutes) {
  const meeting = minutes.meeting;
  if (!isObject(meeting) || typeof meeting.id !== "string" || meeting.id === "") {
    throw new Failure("minutes", "meeting", "meeting.id must be a non-empty string");
  }
  if (minutes.status !== "approved") {
    throw new Failure("minutes", "status", 'status is not "approved": only approved minutes are a record');
  }
  if (!Array.isArray(minutes.items)) throw new Failure("minutes", "items", "items must be an array");
  const seen = new Set();
  minutes.items.forEach((item, k) => {
    const index = k + 1;
    if (!isObject(item) || typeof item.id !== "string" || typeof item.private !== "boolean") {
      throw new Failure(
        "minutes",
        "items",
        `item at position ${index} must be an object with a string id and a boolean private`,
      );
    }
    if (seen.has(item.id)) throw new Failure("minutes", "items", `item at position ${index} repeats the id ${quote(item.id)}`);
    seen.add(item.id);
    if (item.private) checkPrivate(item, index);
  });
  return minutes.items;
}

function checkPrivate(item, index) {
  const label = itemLabel(item, index);
  const extra = Object.keys(item).filter((n) => !PRIVATE_ITEM_MEMBERS.includes(n)).sort(byUtf16);
  if (extra.length > 0) {
    throw new Failure(
      "minutes",
      "private_content",
      `${label} is private but holds ${quote(extra[0])}: a private item is published ` +
        "with its id, number, kind, title and log commitment only",
    );
  }
  const log = has(item, "log") ? item.log : null;
  if (log !== null && (!isObject(log) || Object.keys(log).some((n) => !PRIVATE_LOG_MEMBERS.includes(n)))) {
    throw new Failure(
      "minutes",
      "private_content",
      `${label} is private but its log holds more than the commitment (seq and hash)`,
    );
  }
}

function checkLinks(links, items) {
  const byId = new Map(items.map((item, k) => [item.id, [k + 1, item]]));
  const linkedItems = new Set();
  const linkedRooms = new Set();
  links.forEach((link, k) => {
    const where = `link ${k + 1}`;
    if (!isObject(link)) throw new Failure(where, "link_malformed", "is not a JSON object");
    members(link, LINK_MEMBERS, where);
    const seq = safeInt(link.seq);
    if (
      typeof link.item !== "string" ||
      typeof link.room_id !== "string" ||
      link.room_id === "" ||
      seq === null ||
      seq < 1 ||
      !isHash(link.hash)
    ) {
      throw new Failure(
        where,
        "link_malformed",
        "item and room_id must be strings, seq a positive integer, hash 64 lowercase hex",
      );
    }
    const found = byId.get(link.item);
    if (found === undefined) throw new Failure(where, "link_item", `links item ${quote(link.item)}, which the minutes lack`);
    const [index, item] = found;
    if (item.private) {
      throw new Failure(where, "link_private", `links ${itemLabel(item, index)}, which is private: its log is not published`);
    }
    if (linkedItems.has(link.item) || linkedRooms.has(link.room_id)) {
      throw new Failure(where, "link_duplicate", "links an item or a room that another link already links");
    }
    linkedItems.add(link.item);
    linkedRooms.add(link.room_id);
    const decision = has(item, "decision") ? item.decision : null;
    const log = isObject(decision) && has(decision, "log") ? decision.log : null;
    const roomId = isObject(log) && has(log, "room_id") ? log.room_id : null;
    if (typeof roomId === "string" && roomId !== link.room_id) {
      throw new Failure(
        where,
        "link_room",
        `links room ${quote(link.room_id)}, but the minutes record ${itemLabel(item, index)}'s decision in room ${quote(roomId)}`,
      );
    }
  });
  items.forEach((item, k) => {
    const decided = has(item, "decision") && item.decision !== null;
    if (!item.private && decided && !linkedItems.has(item.id)) {
      throw new Failure("links", "link_missing", `${itemLabel(item, k + 1)} has a decision but no link to its decision log`);
    }
  });
}

function checkSignature(doc) {
  const body = {};
  for (const name of HASHED_MEMBERS) body[name] = doc[name];
  const computed = createHash("sha256").update(Buffer.from(canonicalize(body), "utf8")).digest("hex");
  if (computed !== doc.hash) {
    throw new Failure("record", "hash", `hash does not match the record's contents (computed ${computed})`);
  }
  const message = `${RECORD_FORMAT}\n${doc.minutes.meeting.id}\n${doc.hash}\n${doc.signed_at}`;
  if (!ed25519Valid(b64url(doc.public_key, 32), message, b64url(doc.signature, 64))) {
    throw new Failure("record", "signature", "signature does not verify with public_key");
  }
}

function checkLog(doc, log, index) {
  const where = `log ${index}`;
  const result = verifyLog(log);
  if (!result.ok) throw new Failure(where, "log_invalid", `does not verify: ${result.line.slice(5)}`);
  const roomId = log.room.id;
  const link = doc.links.find((l) => l.room_id === roomId);
  if (link === undefined) throw new Failure(where, "log_unlinked", `is the log of room ${quote(roomId)}, which no link names`);
  const seq = safeInt(link.seq);
  const entries = log.entries;
  if (seq > entries.length) {
    throw new Failure(where, "log_short", `ends at entry ${entries.length}, before the linked head (entry ${seq})`);
  }
  if (entries[seq - 1].hash !== link.hash) {
    throw new Failure(where, "log_mismatch", `entry ${seq} has hash ${entries[seq - 1].hash}, the link holds ${link.hash}`);
  }
}

export function verifyRecord(doc, { key = null, logs = [] } = {}) {
  try {
    checkDocument(doc);
    if (key !== null && !b64url(doc.public_key, 32).equals(key)) {
      throw new Failure("document", "key_mismatch", `public_key ${doc.public_key} is not the key given out of band`);
    }
    clean(doc.minutes, "/minutes", "minutes");
    clean(doc.links, "/links", "links");
    const items = checkMinutes(doc.minutes);
    checkLinks(doc.links, items);
    checkSignature(doc);
    logs.forEach((log, k) => checkLog(doc, log, k + 1));
  } catch (error) {
    if (!(error instanceof Failure)) throw error;
    return {
      ok: false,
      location: error.location,
      reason: error.reason,
      message: error.detail,
      line: `FAIL ${error.location}: ${error.detail} [${error.reason}]`,
    };
  }
  const items = doc.minutes.items;
  const privateCount = items.filter((item) => item.private).length;
  const n = doc.links.length;
  let line =
    `OK meeting ${quote(doc.minutes.meeting.id)}: ${items.length} items (${privateCount} private), ` +
    `${n} linked decision log${n === 1 ? "" : "s"}, hash ${doc.hash.slice(0, 16)}, ` +
    `signed ${doc.signed_at} by ${doc.public_key}`;
  if (logs.length > 0) line += `, ${logs.length} log${logs.length === 1 ? "" : "s"} match their links`;
  return { ok: true, location: null, reason: null, message: null, line };
}

// ---------------------------------------------------------------- command line

function readKey(text) {
  const direct = b64url(text.trim(), 32);
  if (direct !== null) return direct;
  let content;
  try {
    content = readFileSync(text, "utf8").trim();
  } catch {
    throw new Unreadable("is neither a public key (32 bytes, base64url without padding) nor a file holding one");
  }
  const fromFile = b64url(content, 32);
  if (fromFile === null) throw new Unreadable("does not hold a public key (32 bytes, base64url without padding)");
  return fromFile;
}

function readInput(what, path, reader) {
  try {
    return reader(path);
  } catch (error) {
    if (error instanceof Unreadable) throw new Unreadable(`${what} ${path}: ${error.message}`);
    if (error && error.code) throw new Unreadable(`${what} ${path}: cannot read it: ${error.code}`);
    throw error;
  }
}

const readJsonFile = (path) => loadJson(readFileSync(path));

function recordMain(argv, doc, file) {
  const usage = "usage: node verify.mjs RECORD.json [--key KEY] [--log LOG.json ...]";
  let key = null;
  const logs = [];
  for (let k = 0; k < argv.length; k += 1) {
    const arg = argv[k];
    if (arg === "--key" || arg === "--log" || arg === "--previous" || arg === "--receipt") {
      const value = argv[k + 1];
      if (value === undefined) return { code: 2, line: `ERROR ${arg} needs a value; ${usage}` };
      k += 1;
      if (arg === "--previous" || arg === "--receipt") {
        return {
          code: 2,
          line: `ERROR --previous and --receipt go with a decision log; ${file} is a meeting record (use --log)`,
        };
      }
      if (arg === "--key") key = value;
      else logs.push(value);
    } else if (arg.startsWith("--") || arg !== file) {
      return { code: 2, line: `ERROR unexpected argument ${arg}; ${usage}` };
    }
  }
  let inputs;
  try {
    inputs = {
      key: key === null ? null : readInput("key", key, readKey),
      logs: logs.map((path, index) => readInput(`log ${index + 1}`, path, readJsonFile)),
    };
  } catch (error) {
    if (error instanceof Unreadable) return { code: 2, line: `ERROR ${error.message}` };
    throw error;
  }
  const result = verifyRecord(doc, inputs);
  return { code: result.ok ? 0 : 1, line: result.line };
}

function firstFile(argv) {
  for (let k = 0; k < argv.length; k += 1) {
    if (["--key", "--log", "--previous", "--receipt"].includes(argv[k])) k += 1;
    else if (!argv[k].startsWith("--")) return argv[k];
  }
  return null;
}

// For verify.mjs: null unless the file named on the command line is a meeting record, else the
// result of checking it. A decision log, or an unreadable file, stays with verify.mjs.
export function routeByFormat(argv) {
  const file = firstFile(argv);
  if (file === null) return null;
  const withLogs = argv.includes("--log");
  let doc = null;
  try {
    const bytes = readInput("log", file, readFileSync);
    // A decision log is parsed once, by verify.mjs: only a file naming the format is parsed here.
    if (withLogs || bytes.includes(RECORD_FORMAT)) doc = readInput("log", file, () => loadJson(bytes));
  } catch (error) {
    if (withLogs && error instanceof Unreadable) return { code: 2, line: `ERROR ${error.message}` };
    return null; // unreadable: verify.mjs says why, as it always has
  }
  if (!isObject(doc) || doc.format !== RECORD_FORMAT) {
    return withLogs
      ? { code: 2, line: `ERROR --log goes with a meeting record (${RECORD_FORMAT}); ${file} is not one` }
      : null;
  }
  return recordMain(argv, doc, file);
}

export function main(argv) {
  const routed = routeByFormat(argv);
  if (routed !== null) return routed;
  const file = firstFile(argv);
  if (file === null) return { code: 2, line: "ERROR no record given; usage: node record.mjs RECORD.json [--key KEY] [--log LOG.json ...]" };
  try {
    readInput("log", file, readJsonFile);
  } catch (error) {
    if (error instanceof Unreadable) return { code: 2, line: `ERROR ${error.message}` };
    throw error;
  }
  return { code: 1, line: `FAIL document: format is not ${quote(RECORD_FORMAT)} [format]` };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { code, line } = main(process.argv.slice(2));
  if (code === 2) process.stderr.write(line + "\n");
  else process.stdout.write(line + "\n");
  process.exitCode = code;
}
