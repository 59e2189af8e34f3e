#!/usr/bin/env node
// An independent verifier of Evenfloor published decision logs (formats evenfloor-decision-log/1
// and /2), written from docs/spec/decision-log-v1.md and -v2.md alone. It shares no code with the
// Python verifier and needs nothing but Node 20: node:crypto for SHA-256 and Ed25519, and its own
// strict JSON reader, RFC 8785 canonicaliser and fairness replay.
//
//   node tools/verify-js/verify.mjs LOG.json [--previous OLD.json] [--key KEY] [--receipt R.json ...]
//                                   [--fairness]
//
// Exit codes: 0 verified (one summary line), 1 a check failed (the first failure, one line; with
// --fairness one line per grant that did not follow the rule), 2 an input could not be read. The
// checks and their order are listed in docs/decision-log.md.

import { createHash, createPublicKey, verify as verifySignature } from "node:crypto";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

import { routeByFormat } from "./record.mjs";

const FORMAT_1 = "evenfloor-decision-log/1";
const FORMATS = [FORMAT_1, "evenfloor-decision-log/2"];
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
  if (!FORMATS.includes(doc.format)) {
    throw new Failure("document", "format", `format is not ${FORMATS.map(quote).join(" or ")}`);
  }
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
  // The format is signed too (format 2 spec): a log cannot pass for the other format.
  const message = `${doc.format}\n${doc.room.id}\n${last}\n${lastHash}\n${head.signed_at}`;
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


// ---------------------------------------------------------------- the fairness replay (format 2)
//
// Replays the published queue and checks every floor.granted against the progressive stack's
// rule as docs/spec/decision-log-v2.md states it. Shares are compared as exact fractions, in
// BigInt, so that no rounding decides who goes next.

const POINT_OF_ORDER = "point_of_order";

class Malformed extends Error {}

function gcd(a, b) {
  while (b !== 0n) [a, b] = [b, a % b];
  return a < 0n ? -a : a;
}

function fraction(numerator, denominator = 1n) {
  const g = gcd(numerator, denominator);
  return { n: numerator / g, d: denominator / g };
}

function parseCap(rules) {
  const text = isObject(rules) && has(rules, "speaking_cap_fraction") ? rules.speaking_cap_fraction : null;
  if (text === null) return null;
  if (typeof text !== "string") throw new Malformed("rules.speaking_cap_fraction is not a string");
  const m = /^([0-9]+)(?:\/([0-9]+))?$/.exec(text);
  if (m === null || (m[2] !== undefined && BigInt(m[2]) === 0n)) {
    throw new Malformed(`rules.speaking_cap_fraction ${pyRepr(text)} is not a fraction`);
  }
  return fraction(BigInt(m[1]), m[2] === undefined ? 1n : BigInt(m[2]));
}

function pyRepr(text) {
  // The Python replay quotes with repr(): single quotes unless the text holds one.
  if (text.includes("'") && !text.includes('"')) return `"${text}"`;
  return `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

function person(value, what) {
  if (!isObject(value) || typeof value.pseudonym !== "string") throw new Malformed(`${what} has no pseudonym`);
  return { key: value.pseudonym, organisation: typeof value.organisation === "string" ? value.organisation : null };
}

function describe(key, kind, rule = null) {
  return `${key} (${kind}${rule === null ? "" : ", rule " + rule})`;
}

function pyStr(value) {
  // What the Python replay's str() of a JSON value shows in its messages.
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  return String(value);
}

class Floor {
  constructor() {
    this.cap = null;
    this.budgets = new Map();
    this.asked = new Set();
    this.floorMs = new Map();
    this.total = 0n;
    this.lifted = new Set();
    this.waiting = [];
    this.lastSpeechBy = null;
  }

  spoken(organisation) {
    return this.floorMs.get(organisation) ?? 0n;
  }

  capInForce() {
    const n = BigInt(this.asked.size);
    if (this.cap === null || n === 0n || this.cap.n * n >= this.cap.d) return this.cap;
    return fraction(1n, n);
  }

  atOrOver(organisation) {
    const cap = this.capInForce();
    if (cap === null || this.total === 0n) return false;
    return this.spoken(organisation) * cap.d >= cap.n * this.total;
  }

  budgetSpent(organisation) {
    if (organisation === null || !this.budgets.has(organisation) || this.lifted.has(organisation)) return false;
    return this.budgets.get(organisation) - this.spoken(organisation) <= 0n;
  }

  direct(hand) {
    return hand.kind === "reply" && hand.replyTo === this.lastSpeechBy;
  }

  choose() {
    for (const hand of this.waiting) if (hand.kind === POINT_OF_ORDER) return [hand, "point-of-order-first"];
    const candidates = this.waiting.filter((h) => !this.budgetSpent(h.organisation));
    if (candidates.length === 0) return null;
    const better = (a, b) => {
      // Direct replies first, then the least floor time, then the earliest hand.
      const ra = this.direct(a) ? 0 : 1;
      const rb = this.direct(b) ? 0 : 1;
      if (ra !== rb) return ra < rb;
      const sa = this.spoken(a.organisation);
      const sb = this.spoken(b.organisation);
      if (sa !== sb) return sa < sb;
      return candidates.indexOf(a) < candidates.indexOf(b);
    };
    const least = (list) => list.reduce((best, h) => (better(h, best) ? h : best));
    const capped = (organisation) => !this.lifted.has(organisation) && this.atOrOver(organisation);
    const under = candidates.filter((h) => !capped(h.organisation));
    const unconstrained = least(candidates);
    if (under.length === 0) return [unconstrained, candidates.length === 1 ? "only-one-waiting" : "all-at-cap"];
    const best = least(under);
    if (this.lifted.has(best.organisation) && candidates.length > 1 && this.atOrOver(best.organisation)) {
      return [best, "cap-lifted"];
    }
    if (best !== unconstrained) return [best, "cap-waits"];
    return [best, this.ruleFor(best, candidates)];
  }

  ruleFor(best, candidates) {
    if (candidates.length === 1) return "only-one-waiting";
    if (this.direct(best) && candidates.some((h) => !this.direct(h))) return "reply-first";
    const mine = this.spoken(best.organisation);
    const others = candidates
      .filter((h) => h.organisation !== best.organisation && this.direct(h) === this.direct(best))
      .map((h) => this.spoken(h.organisation));
    if (others.length > 0 && others.every((o) => mine < o)) return "least-floor-time-org";
    return "first-come";
  }

  take(key, kind) {
    const index = this.waiting.findIndex((h) => h.key === key && h.kind === kind);
    return index < 0 ? null : this.waiting.splice(index, 1)[0];
  }
}

function finding(location, reason, message, entry = null) {
  return { location, reason, message, entry, line: `FAIL ${location}: ${message} [${reason}]` };
}

function grant(floor, data, seq) {
  const where = `entry ${seq}`;
  const { key } = person(data.speaker, "speaker");
  const kind = pyStr(data.kind);
  const rule = pyStr(data.rule);
  const expected = floor.choose();
  const hand = floor.take(key, kind);
  if (kind === "speech") floor.lastSpeechBy = key;
  if (hand === null) {
    return finding(where, "grant_not_waiting", `floor.granted to ${describe(key, kind)}, who was not waiting for it`, seq);
  }
  if (data.override === true) {
    const reason = data.reason;
    if (rule !== "override" || typeof reason !== "string" || reason.trim() === "") {
      return finding(
        where,
        "override_without_reason",
        `floor.granted to ${describe(key, kind)} overrides the rule without a reason`,
        seq,
      );
    }
    return null;
  }
  if (expected === null) {
    return finding(
      where,
      "grant_unfair",
      `floor.granted to ${describe(key, kind, rule)}, but everyone waiting is out of budget`,
      seq,
    );
  }
  const [chosen, chosenRule] = expected;
  if (chosen !== hand || chosenRule !== rule) {
    return finding(
      where,
      "grant_unfair",
      `floor.granted to ${describe(key, kind, rule)}, but the rule picks ${describe(chosen.key, chosen.kind, chosenRule)}`,
      seq,
    );
  }
  return null;
}

export function replayFairness(doc) {
  if (doc.format === FORMAT_1) {
    return {
      findings: [
        finding(
          "fairness",
          "fairness_unavailable",
          "a format 1 log does not publish the queue, so its grants cannot be replayed",
        ),
      ],
      grants: 0,
      overrides: 0,
    };
  }
  if (doc.policy === "anonymous") {
    return {
      findings: [
        finding(
          "fairness",
          "fairness_withheld",
          "the anonymous policy withholds organisations, so the grants cannot be replayed",
        ),
      ],
      grants: 0,
      overrides: 0,
    };
  }
  const floor = new Floor();
  const findings = [];
  let grants = 0;
  let overrides = 0;
  for (const entry of doc.entries) {
    const { seq, type, data } = entry;
    try {
      if (type === "rules.set" || type === "rules.changed") {
        const rules = isObject(data.rules) ? data.rules : {};
        floor.cap = parseCap(rules);
        const budgets = isObject(rules.organisation_budgets_ms) ? rules.organisation_budgets_ms : {};
        floor.budgets = new Map(
          Object.keys(budgets)
            .filter((k) => safeInt(budgets[k]) !== null)
            .map((k) => [k, BigInt(budgets[k])]),
        );
      } else if (type === "hand.raised") {
        const { key, organisation } = person(data.participant, "participant");
        const replyTo = data.reply_to === null || data.reply_to === undefined ? null : person(data.reply_to, "reply_to").key;
        const kind = pyStr(data.kind);
        floor.waiting.push({ key, organisation, kind, replyTo });
        if (kind !== POINT_OF_ORDER) floor.asked.add(organisation);
      } else if (type === "hand.lowered" || type === "hand.withdrawn") {
        const { key } = person(data.participant, "participant");
        floor.take(key, pyStr(data.kind));
      } else if (type === "floor.granted") {
        grants += 1;
        const found = grant(floor, data, seq);
        if (found === null) {
          if (data.override === true) overrides += 1;
        } else {
          findings.push(found);
        }
      } else if (type === "speech.ended" && data.kind !== POINT_OF_ORDER) {
        const { organisation } = person(data.speaker, "speaker");
        const duration = safeInt(data.duration_ms);
        if (duration === null || duration < 0) throw new Malformed("duration_ms is not a whole number of ms");
        floor.floorMs.set(organisation, floor.spoken(organisation) + BigInt(duration));
        floor.total += BigInt(duration);
      } else if (type === "cap.lifted") {
        floor.lifted.add(data.organisation ?? null);
      } else if (type === "cap.restored") {
        floor.lifted.delete(data.organisation ?? null);
      }
    } catch (error) {
      if (!(error instanceof Malformed)) throw error;
      findings.push(finding(`entry ${seq}`, "queue_malformed", error.message, seq));
    }
  }
  return { findings, grants, overrides };
}

function fairnessSummary(result) {
  const plural = result.grants === 1 ? "" : "s";
  const overrides = result.overrides ? `, ${result.overrides} of them logged overrides` : "";
  return `fairness: ${result.grants} grant${plural} replayed, each as the rule picks${overrides}`;
}

export function verifyLog(doc, { previous = null, key = null, receipts = [], fairness = false } = {}) {
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
  const result = { ok: true, location: null, entry: null, reason: null, message: null };
  if (fairness) {
    const replayed = replayFairness(doc);
    result.fairness = replayed;
    if (replayed.findings.length > 0) {
      result.fair = false;
      result.lines = replayed.findings.map((f) => f.line);
      result.line = parts.join(", ");
      return result;
    }
    parts.push(fairnessSummary(replayed));
  }
  result.fair = true;
  result.line = parts.join(", ");
  result.lines = [result.line];
  return result;
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
  const usage =
    "usage: node verify.mjs LOG.json [--previous OLD.json] [--key KEY] [--receipt R.json ...] [--fairness]";
  let fairness = false;
  let log = null;
  let previous = null;
  let key = null;
  const receipts = [];
  for (let k = 0; k < argv.length; k += 1) {
    const arg = argv[k];
    if (arg === "--fairness") {
      fairness = true;
    } else if (arg === "--previous" || arg === "--key" || arg === "--receipt") {
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
  const result = verifyLog(inputs.doc, { ...inputs, fairness });
  if (!result.ok) return { code: 1, line: result.line };
  return { code: result.fair ? 0 : 1, line: result.lines.join("\n") };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { code, line } = main(process.argv.slice(2));
  if (code === 2) process.stderr.write(line + "\n");
  else process.stdout.write(line + "\n");
  process.exitCode = code;
}
