#!/usr/bin/env node
// An independent verifier of Evenfloor published decision logs (format evenfloor-decision-log/1),
// written from spec/decision-log-v1.md alone. It shares no code with the Python verifier and needs
// nothing but Node 20: node:crypto for SHA-256 and Ed25519, and its own strict JSON reader and
// RFC 8785 canonicaliser.
//
//   node tools/verify-js/verify.mjs LOG.json [--previous OLD.json] [--key KEY] [--receipt R.json ...]
//
// Exit codes: 0 verified (one summary line), 1 a check failed (the first failure, one line),
// 2 an input could not be read. The checks and their order are listed in docs/decision-log.md.

import { createHash, createPublicKey, verify as verifySignature } from "node:crypto";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

import { routeByFormat } from "./record.mjs";

const FORMAT = "evenfloor-decision-log/1";
const RECEIPT_FORMAT = "evenfloor-receipt/1";
const POLICIES = ["names", "organisations", "anonymous"];
const DOCUMENT_MEMBERS = ["format", "room", "policy", "public_key", "entries", "head"];
const ENTRY_MEMBERS = ["seq", "at", "type", "actor", "data", "prev", "hash"];
const HEAD_MEMBERS = ["seq", "hash", "signed_at", "signature"];
const RECEIPT_MEMBERS = ["format", "room_id", "seq", "hash", "public_key", "signature"];
const ZERO_HASH = "0".repeat(64);
const TIME_RULE = "an RFC 3339 UTC time (YYYY-MM-DDTHH:MM:SS[.fraction]Z)";
const MAX_DEPTH = 1000;

export class Unreadable extends Error {}

class Failure extends Error {
  constructor(location, reason, message, entry = null) {
    super(`${location}: ${message}`);
    this.location = location;
    this.reason = reason;
    this.detail = message;
    this.entry = entry;
  }
}

// ---------------------------------------------------------------- strict JSON (RFC 8259, I-JSON)

function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function has(object, name) {
  return Object.prototype.hasOwnProperty.call(object, name);
}

export function parseJson(text) {
  let i = 0;
  const fail = (why) => {
    throw new Unreadable(`not JSON: ${why} (character ${i + 1})`);
  };
  const ws = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i += 1;
      else break;
    }
  };
  const literal = (word, value) => {
    if (text.startsWith(word, i)) {
      i += word.length;
      return value;
    }
    return fail("unexpected character");
  };
  const string = () => {
    i += 1; // opening quote
    let out = "";
    let start = i;
    for (;;) {
      if (i >= text.length) fail("unterminated string");
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(start, i);
        i += 1;
        return out;
      }
      if (c < 0x20) fail("control character in a string");
      if (c !== 0x5c) {
        i += 1;
        continue;
      }
      out += text.slice(start, i);
      const e = text[i + 1];
      const simple = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
      if (e !== undefined && has(simple, e)) {
        out += simple[e];
        i += 2;
      } else if (e === "u") {
        const hex = text.slice(i + 2, i + 6);
        if (!/^[0-9A-Fa-f]{4}$/.test(hex)) fail("bad \\u escape");
        out += String.fromCharCode(parseInt(hex, 16));
        i += 6;
      } else {
        fail("bad escape");
      }
      start = i;
    }
  };
  const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
  const number = () => {
    NUMBER.lastIndex = i;
    const match = NUMBER.exec(text);
    if (match === null) fail("bad number");
    i += match[0].length;
    return Number(match[0]);
  };
  const value = (depth) => {
    if (depth > MAX_DEPTH) throw new Unreadable("not JSON this verifier can read: nested too deeply");
    ws();
    const c = text[i];
    if (c === "{") {
      i += 1;
      const object = Object.create(null);
      ws();
      if (text[i] === "}") {
        i += 1;
        return object;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail("expected a member name");
        const name = string();
        if (has(object, name)) {
          throw new Unreadable(`member name ${quote(name)} appears twice in one object`);
        }
        ws();
        if (text[i] !== ":") fail("expected ':'");
        i += 1;
        object[name] = value(depth + 1);
        ws();
        if (text[i] === ",") {
          i += 1;
        } else if (text[i] === "}") {
          i += 1;
          return object;
        } else {
          fail("expected ',' or '}'");
        }
      }
    }
    if (c === "[") {
      i += 1;
      const array = [];
      ws();
      if (text[i] === "]") {
        i += 1;
        return array;
      }
      for (;;) {
        array.push(value(depth + 1));
        ws();
        if (text[i] === ",") {
          i += 1;
        } else if (text[i] === "]") {
          i += 1;
          return array;
        } else {
          fail("expected ',' or ']'");
        }
      }
    }
    if (c === '"') return string();
    if (c === "t") return literal("true", true);
    if (c === "f") return literal("false", false);
    if (c === "n") return literal("null", null);
    if (c === "-" || (c >= "0" && c <= "9")) return number();
    return fail(i >= text.length ? "unexpected end" : "unexpected character");
  };
  const result = value(0);
  ws();
  if (i !== text.length) fail("extra data after the document");
  return result;
}

export function loadJson(bytes) {
  let text;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new Unreadable("not UTF-8");
  }
  if (text.startsWith("\ufeff")) throw new Unreadable("starts with a byte order mark");
  return parseJson(text);
}

// ---------------------------------------------------------------- RFC 8785 (JCS)

function compareUtf16(a, b) {
  // JCS sorts member names by their UTF-16 code units, compared as unsigned integers.
  const n = Math.min(a.length, b.length);
  for (let k = 0; k < n; k += 1) {
    const d = a.charCodeAt(k) - b.charCodeAt(k);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function jcsString(s) {
  let out = '"';
  for (let k = 0; k < s.length; k += 1) {
    const c = s.charCodeAt(k);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += "\\\\";
    else if (c === 0x08) out += "\\b";
    else if (c === 0x09) out += "\\t";
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0c) out += "\\f";
    else if (c === 0x0d) out += "\\r";
    else if (c < 0x20) out += "\\u" + c.toString(16).padStart(4, "0");
    else out += s[k];
  }
  return out + '"';
}

export function canonicalize(value) {
  if (value === null) return "null";
  if (value === true) return "true";
  if (value === false) return "false";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error("RFC 8785 has no NaN or Infinity");
    return JSON.stringify(value); // ECMAScript Number serialisation, which JCS adopts
  }
  if (typeof value === "string") {
    if (!value.isWellFormed()) throw new Error("RFC 8785 needs valid Unicode (a lone surrogate)");
    return jcsString(value);
  }
  if (Array.isArray(value)) return "[" + value.map(canonicalize).join(",") + "]";
  const names = Object.keys(value).sort(compareUtf16);
  return "{" + names.map((n) => canonicalize(n) + ":" + canonicalize(value[n])).join(",") + "}";
}

// ---------------------------------------------------------------- small encodings

export function quote(text) {
  return JSON.stringify(text); // well-formed JSON.stringify: lone surrogates come out as \udxxx
}

function pointer(path, name) {
  return `${path}/${name.replaceAll("~", "~0").replaceAll("/", "~1")}`;
}

function b64urlDecode(text, length) {
  if (typeof text !== "string") return null;
  if (text.length !== Math.floor((length * 4 + 2) / 3) || !/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const raw = Buffer.from(text, "base64url");
  if (raw.length !== length || raw.toString("base64url") !== text) return null;
  return raw;
}

function isHash(value) {
  return typeof value === "string" && /^[0-9a-f]{64}$/.test(value);
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

function safeInt(value) {
  return typeof value === "number" && Number.isSafeInteger(value) ? (Object.is(value, -0) ? 0 : value) : null;
}

function sha256Hex(text) {
  return createHash("sha256").update(Buffer.from(text, "utf8")).digest("hex");
}

function signatureValid(publicKey, message, signature) {
  try {
    const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: publicKey.toString("base64url") }, format: "jwk" });
    return verifySignature(null, Buffer.from(message, "utf8"), key, signature);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- the checks

function members(value, expected, location, entry) {
  for (const name of expected) {
    if (!has(value, name)) throw new Failure(location, "members", `missing member ${quote(name)}`, entry);
  }
  const unexpected = Object.keys(value).filter((n) => !expected.includes(n)).sort(compareUtf16);
  if (unexpected.length > 0) {
    throw new Failure(location, "members", `unexpected member ${quote(unexpected[0])}`, entry);
  }
}

function textProblem(text) {
  if (/^[\x00-\x7f]*$/.test(text)) return null;
  if (!text.isWellFormed()) return "unicode";
  if (text.normalize("NFC") !== text) return "nfc";
  return null;
}

const TEXT_MESSAGES = {
  unicode: "is not valid Unicode (it holds a lone surrogate)",
  nfc: "is not NFC-normalised",
};

function walk(value, path, location, seq) {
  // RFC 8785 order: member names sorted by UTF-16 code unit, each name before its value.
  if (typeof value === "string") {
    const problem = textProblem(value);
    if (problem) throw new Failure(location, problem, `text at ${quote(path)} ${TEXT_MESSAGES[problem]}`, seq);
    return;
  }
  if (value === null || typeof value === "boolean") return;
  if (Array.isArray(value)) {
    value.forEach((item, index) => walk(item, pointer(path, String(index)), location, seq));
    return;
  }
  if (isObject(value)) {
    for (const name of Object.keys(value).sort(compareUtf16)) {
      const here = pointer(path, name);
      const problem = textProblem(name);
      if (problem) {
        throw new Failure(location, problem, `member name at ${quote(here)} ${TEXT_MESSAGES[problem]}`, seq);
      }
      walk(value[name], here, location, seq);
    }
    return;
  }
  if (safeInt(value) === null) {
    throw new Failure(location, "number", `number at ${quote(path)} is not an integer within ±(2**53 - 1)`, seq);
  }
}

function checkDocument(doc) {
  if (!isObject(doc)) throw new Failure("document", "not_an_object", "the log is not a JSON object");
  members(doc, DOCUMENT_MEMBERS, "document", null);
  if (doc.format !== FORMAT) throw new Failure("document", "format", `format is not ${quote(FORMAT)}`);
  const room = doc.room;
  const roomOk =
    isObject(room) &&
    Object.keys(room).length === 2 &&
    has(room, "id") &&
    has(room, "title") &&
    typeof room.id === "string" &&
    typeof room.title === "string";
  if (!roomOk) {
    throw new Failure("document", "room", 'room must be an object with exactly the strings "id" and "title"');
  }
  if (!POLICIES.includes(doc.policy)) {
    throw new Failure("document", "policy", 'policy must be "names", "organisations" or "anonymous"');
  }
  if (b64urlDecode(doc.public_key, 32) === null) {
    throw new Failure("document", "public_key", "public_key is not 32 bytes in base64url without padding");
  }
  if (!Array.isArray(doc.entries) || doc.entries.length === 0) {
    throw new Failure("document", "entries", "entries must be a non-empty array");
  }
}

function checkEntry(entry, seq, prev) {
  const where = `entry ${seq}`;
  if (!isObject(entry)) throw new Failure(where, "not_an_object", "is not a JSON object", seq);
  members(entry, ENTRY_MEMBERS, where, seq);
  const number = safeInt(entry.seq);
  if (number !== seq) {
    throw new Failure(where, "seq", `seq is ${number === null ? "not an integer" : number}, expected ${seq}`, seq);
  }
  if (!isTime(entry.at)) throw new Failure(where, "at", `at is not ${TIME_RULE}`, seq);
  if (typeof entry.type !== "string" || entry.type === "") {
    throw new Failure(where, "type", "type must be a non-empty string", seq);
  }
  if (entry.actor !== null && !isObject(entry.actor)) {
    throw new Failure(where, "actor", "actor must be an object or null", seq);
  }
  if (!isObject(entry.data)) throw new Failure(where, "data", "data must be an object", seq);
  if (!isHash(entry.prev)) throw new Failure(where, "prev_format", "prev is not 64 lowercase hex digits", seq);
  if (!isHash(entry.hash)) throw new Failure(where, "hash_format", "hash is not 64 lowercase hex digits", seq);
  const body = Object.create(null);
  for (const name of Object.keys(entry)) if (name !== "hash") body[name] = entry[name];
  walk(body, "", where, seq);
  if (entry.prev !== prev) {
    if (seq === 1) throw new Failure(where, "prev", "prev of entry 1 is not 64 zeros", seq);
    throw new Failure(where, "prev", `prev does not match the hash of entry ${seq - 1}`, seq);
  }
  const computed = sha256Hex(canonicalize(body));
  if (computed !== entry.hash) {
    throw new Failure(where, "hash", `hash does not match the entry's contents (computed ${computed})`, seq);
  }
  return computed;
}

function checkOpening(doc) {
  const first = doc.entries[0];
  if (first.type !== "log.opened") throw new Failure("entry 1", "log_opened", 'type is not "log.opened"', 1);
  const fields = [
    ["room_id", doc.room.id, "room.id"],
    ["title", doc.room.title, "room.title"],
    ["policy", doc.policy, "policy"],
    ["public_key", doc.public_key, "public_key"],
  ];
  for (const [name, expected, field] of fields) {
    if (!has(first.data, name) || first.data[name] !== expected) {
      throw new Failure("entry 1", "log_opened", `data.${name} does not equal the document's ${field}`, 1);
    }
  }
}

function checkHead(doc, lastHash) {
  const head = doc.head;
  const last = doc.entries.length;
  if (!isObject(head)) throw new Failure("head", "not_an_object", "is not a JSON object");
  members(head, HEAD_MEMBERS, "head", null);
  const number = safeInt(head.seq);
  if (number !== last) {
    throw new Failure("head", "seq", `seq is ${number === null ? "not an integer" : number}, but the last entry is ${last}`);
  }
  if (head.hash !== lastHash) throw new Failure("head", "hash", `hash does not match the hash of entry ${last}`);
  if (!isTime(head.signed_at)) throw new Failure("head", "signed_at", `signed_at is not ${TIME_RULE}`);
  const signature = b64urlDecode(head.signature, 64);
  if (signature === null) {
    throw new Failure("head", "signature_format", "signature is not 64 bytes in base64url without padding");
  }
  const message = `${FORMAT}\n${doc.room.id}\n${last}\n${lastHash}\n${head.signed_at}`;
  if (!signatureValid(b64urlDecode(doc.public_key, 32), message, signature)) {
    throw new Failure("head", "signature", "signature does not verify with public_key");
  }
}

function checkLog(doc, key) {
  checkDocument(doc);
  if (key !== null && !b64urlDecode(doc.public_key, 32).equals(key)) {
    throw new Failure("document", "key_mismatch", `public_key ${doc.public_key} is not the key given out of band`);
  }
  let prev = ZERO_HASH;
  doc.entries.forEach((entry, index) => {
    prev = checkEntry(entry, index + 1, prev);
    if (index === 0) checkOpening(doc);
  });
  checkHead(doc, prev);
}

function checkPrevious(doc, previous) {
  try {
    checkLog(previous, null);
  } catch (error) {
    if (!(error instanceof Failure)) throw error;
    throw new Failure(
      "older copy",
      "older_invalid",
      `does not verify: ${error.location}: ${error.detail} [${error.reason}]`,
    );
  }
  if (previous.room.id !== doc.room.id) {
    throw new Failure("older copy", "older_room", `is a log of another room (${quote(previous.room.id)})`);
  }
  if (previous.public_key !== doc.public_key) {
    throw new Failure("older copy", "older_key", `is signed with another key (${previous.public_key})`);
  }
  const shared = Math.min(previous.entries.length, doc.entries.length);
  for (let k = 0; k < shared; k += 1) {
    const older = previous.entries[k].hash;
    const newer = doc.entries[k].hash;
    if (older !== newer) {
      throw new Failure(
        `entry ${k + 1}`,
        "rewritten",
        `differs from the older copy (hash ${newer}, the older copy has ${older})`,
        k + 1,
      );
    }
  }
  if (previous.entries.length > doc.entries.length) {
    const seq = doc.entries.length + 1;
    throw new Failure(
      `entry ${seq}`,
      "dropped",
      `is missing: the older copy has entries up to ${previous.entries.length}, this log ends at ${doc.entries.length}`,
      seq,
    );
  }
  return previous.entries.length;
}

function receiptProblem(receipt) {
  if (!isObject(receipt)) return "not a JSON object";
  for (const name of RECEIPT_MEMBERS) if (!has(receipt, name)) return `missing member ${quote(name)}`;
  const unexpected = Object.keys(receipt).filter((n) => !RECEIPT_MEMBERS.includes(n)).sort(compareUtf16);
  if (unexpected.length > 0) return `unexpected member ${quote(unexpected[0])}`;
  if (receipt.format !== RECEIPT_FORMAT) return `format is not ${quote(RECEIPT_FORMAT)}`;
  if (typeof receipt.room_id !== "string") return "room_id is not a string";
  const seq = safeInt(receipt.seq);
  if (seq === null || seq < 1) return "seq is not a positive integer";
  if (!isHash(receipt.hash)) return "hash is not 64 lowercase hex digits";
  if (b64urlDecode(receipt.public_key, 32) === null) return "public_key is not 32 bytes in base64url without padding";
  if (b64urlDecode(receipt.signature, 64) === null) return "signature is not 64 bytes in base64url without padding";
  return null;
}

function checkReceipt(doc, receipt, index) {
  const where = `receipt ${index}`;
  const problem = receiptProblem(receipt);
  if (problem !== null) {
    throw new Failure(where, "receipt_malformed", `is not a ${RECEIPT_FORMAT} receipt: ${problem}`);
  }
  const seq = safeInt(receipt.seq);
  if (receipt.room_id !== doc.room.id) {
    throw new Failure(where, "receipt_room", `is for another room (${quote(receipt.room_id)})`);
  }
  if (receipt.public_key !== doc.public_key) {
    throw new Failure(where, "receipt_key", `was signed with another key (${receipt.public_key}) than this log's`);
  }
  const message = `${RECEIPT_FORMAT}\n${receipt.room_id}\n${seq}\n${receipt.hash}`;
  if (!signatureValid(b64urlDecode(doc.public_key, 32), message, b64urlDecode(receipt.signature, 64))) {
    throw new Failure(where, "receipt_signature", "signature does not verify with public_key");
  }
  const entries = doc.entries;
  if (seq > entries.length) {
    throw new Failure(
      `entry ${seq}`,
      "receipt_missing",
      `is missing: receipt ${index} holds it, but the log ends at entry ${entries.length}`,
      seq,
    );
  }
  if (entries[seq - 1].hash !== receipt.hash) {
    throw new Failure(
      `entry ${seq}`,
      "receipt_changed",
      `differs from receipt ${index} (hash ${entries[seq - 1].hash}, the receipt holds ${receipt.hash})`,
      seq,
    );
  }
}

export function verifyLog(doc, { previous = null, key = null, receipts = [] } = {}) {
  let extendsUpTo = null;
  try {
    checkLog(doc, key);
    if (previous !== null) extendsUpTo = checkPrevious(doc, previous);
    receipts.forEach((receipt, index) => checkReceipt(doc, receipt, index + 1));
  } catch (error) {
    if (!(error instanceof Failure)) throw error;
    return {
      ok: false,
      location: error.location,
      entry: error.entry,
      reason: error.reason,
      message: error.detail,
      line: `FAIL ${error.location}: ${error.detail} [${error.reason}]`,
    };
  }
  const parts = [
    `OK ${quote(doc.room.id)}: ${doc.entries.length} entries, head ${doc.entries.length} ${doc.head.hash.slice(0, 16)}, ` +
      `signed ${doc.head.signed_at} by ${doc.public_key}`,
  ];
  if (extendsUpTo !== null) parts.push(`extends the older copy (up to entry ${extendsUpTo})`);
  if (receipts.length > 0) parts.push(`${receipts.length} receipt${receipts.length === 1 ? "" : "s"} found`);
  return { ok: true, location: null, entry: null, reason: null, message: null, line: parts.join(", ") };
}

// ---------------------------------------------------------------- command line

function readKey(text) {
  const direct = b64urlDecode(text.trim(), 32);
  if (direct !== null) return direct;
  let content;
  try {
    content = readFileSync(text, "utf8").trim();
  } catch {
    throw new Unreadable("is neither a public key (32 bytes, base64url without padding) nor a file holding one");
  }
  const fromFile = b64urlDecode(content, 32);
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

export function main(argv) {
  const routed = routeByFormat(argv); // a meeting record (evenfloor-meeting-record/1): record.mjs
  if (routed !== null) return routed;
  const usage = "usage: node verify.mjs LOG.json [--previous OLD.json] [--key KEY] [--receipt R.json ...]";
  let log = null;
  let previous = null;
  let key = null;
  const receipts = [];
  for (let k = 0; k < argv.length; k += 1) {
    const arg = argv[k];
    if (arg === "--previous" || arg === "--key" || arg === "--receipt") {
      const value = argv[k + 1];
      if (value === undefined) return { code: 2, line: `ERROR ${arg} needs a value; ${usage}` };
      k += 1;
      if (arg === "--previous") previous = value;
      else if (arg === "--key") key = value;
      else receipts.push(value);
    } else if (arg.startsWith("--") || log !== null) {
      return { code: 2, line: `ERROR unexpected argument ${arg}; ${usage}` };
    } else {
      log = arg;
    }
  }
  if (log === null) return { code: 2, line: `ERROR no log given; ${usage}` };
  let inputs;
  try {
    inputs = {
      doc: readInput("log", log, readJsonFile),
      previous: previous === null ? null : readInput("older copy", previous, readJsonFile),
      key: key === null ? null : readInput("key", key, readKey),
      receipts: receipts.map((path, index) => readInput(`receipt ${index + 1}`, path, readJsonFile)),
    };
  } catch (error) {
    if (error instanceof Unreadable) return { code: 2, line: `ERROR ${error.message}` };
    throw error;
  }
  const result = verifyLog(inputs.doc, inputs);
  return { code: result.ok ? 0 : 1, line: result.line };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { code, line } = main(process.argv.slice(2));
  if (code === 2) process.stderr.write(line + "\n");
  else process.stdout.write(line + "\n");
  process.exitCode = code;
}
