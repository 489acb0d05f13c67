// `TOLLGATE_API_KEY=<auditor key> npm run evidence:verify -- --url https://tollgate:8080 [--public-key key.pem] [--save export.json]`
// `npm run evidence:verify -- --file <export.json | ledger pages | a directory of pages> [--public-key key.pem] [--url ...]`
// Verifies Tollgate's evidence ledger without trusting its database: every hash is recomputed here
// and every checkpoint signature checked against a public key the auditor pinned.
// Exit codes: 0 the chain holds, 1 it is broken (the first bad seq is printed), 2 verification could
// not run (bad arguments, server unreachable, unreadable file).
import type { KeyObject } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyIdOf, toPublicKey, verifyLedger, type CheckpointRow, type LedgerRow, type VerifyReport } from '@tollgate/evidence';

export const USAGE = `usage:
  TOLLGATE_API_KEY=<auditor key> evidence-verify --url <tollgate base url> [--public-key <pem file>]... [--save <export.json>]
  evidence-verify --file <path> [--public-key <pem file>]... [--url <tollgate base url>]
  evidence-verify --help`;

export const HELP = `Verifies Tollgate's evidence ledger without trusting its database: every hash is recomputed here,
every signed checkpoint is checked, and the copy is checked against the server's signed head
(GET /evidence/head), so a copy whose newest entries were cut off fails, naming the missing seqs.

${USAGE}

  --url <url>          read the ledger from a Tollgate server (needs TOLLGATE_API_KEY, an unscoped auditor or admin key).
                       With --file: check the file against the server's current signed head.
  --file <path>        verify a copy instead: an export written by --save, the JSON of GET /api/v1/evidence/ledger
                       (one page, several pages concatenated or in an array), or a directory of such .json files.
                       Ledger pages carry no public key: give --public-key or --url.
  --public-key <pem>   an Ed25519 public key obtained out of band (GET /evidence/public-key); repeatable, e.g. across
                       a key rotation. Without it the key the source states is used, with a warning.
  --save <file>        with --url: also write the export (entries, checkpoints, public key, signed head) to a file.
  --help               this text.

The API key is read from TOLLGATE_API_KEY only: on a command line it would be echoed by npm and seen in the process list.

Exit codes: 0 the ledger holds; 1 it is broken (the first bad seq is printed); 2 verification could not run
(bad arguments, server unreachable, unreadable file, a key scoped to connections).`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type CliOptions =
  | { source: 'help' }
  | { source: 'url'; url: string; key: string; publicKeyFiles: string[]; save?: string }
  | { source: 'file'; file: string; publicKeyFiles: string[]; url?: string; key?: string };

/** An offline export: everything needed to verify, in one JSON file. */
export interface EvidenceExport {
  entries: LedgerRow[];
  checkpoints: CheckpointRow[];
  publicKeyPem: string;
  /** The head signed by the server before the entries were read (GET /evidence/head); absent in older exports. */
  head?: CheckpointRow;
}

/** What a copy on disk yields: ledger pages carry no public key, and may carry no head. */
export interface EvidenceCopy {
  entries: LedgerRow[];
  checkpoints: CheckpointRow[];
  publicKeyPem?: string;
  head?: CheckpointRow;
}

/** One page as GET /evidence/ledger answers it. */
interface LedgerPageBody {
  items: LedgerRow[];
  nextAfterSeq: number | null;
  connectionIds?: string[] | null;
  signedHead?: CheckpointRow | null;
}

export interface Output {
  log(line: string): void;
  error(line: string): void;
}

const PAGE_SIZE = 1000;

export function parseArgs(argv: string[], env: Record<string, string | undefined> = process.env): CliOptions {
  if (argv.includes('--help') || argv.includes('-h')) return { source: 'help' };
  const values: Record<string, string> = {};
  const publicKeyFiles: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--key' || flag.startsWith('--key=')) {
      throw new UsageError('--key is not accepted: npm echoes the command line and the process list shows it. Set TOLLGATE_API_KEY instead');
    }
    if (!['--url', '--file', '--save', '--public-key'].includes(flag)) throw new UsageError(`unknown argument ${flag}`);
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    i += 1;
    if (flag === '--public-key') publicKeyFiles.push(value);
    else if (flag.slice(2) in values) throw new UsageError(`${flag} given twice`);
    else values[flag.slice(2)] = value;
  }
  if (!values.url && !values.file) throw new UsageError('give --url or --file');
  let url: string | undefined;
  if (values.url) {
    let parsed: URL;
    try {
      parsed = new URL(values.url);
    } catch {
      throw new UsageError(`--url is not a URL: ${values.url}`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError('--url must be http(s)');
    url = parsed.toString().replace(/\/+$/, '');
  }
  const key = env.TOLLGATE_API_KEY;
  if (url && !key) throw new UsageError('an API key is required with --url: set TOLLGATE_API_KEY (an unscoped auditor or admin key)');
  if (values.file) {
    if (values.save) throw new UsageError('--save goes with --url alone');
    return url ? { source: 'file', file: values.file, publicKeyFiles, url, key } : { source: 'file', file: values.file, publicKeyFiles };
  }
  return { source: 'url', url: url!, key: key!, publicKeyFiles, save: values.save };
}

/** GET one JSON document of the evidence API; a non-2xx answer is an error naming the status. */
export async function fetchEvidence<T>(baseUrl: string, key: string, path: string): Promise<T> {
  const res = await fetch(`${baseUrl}/api/v1/evidence${path}`, { headers: { authorization: `Bearer ${key}`, accept: 'application/json' } });
  if (!res.ok) throw new Error(`GET /api/v1/evidence${path}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  return (await res.json()) as T;
}

/** The ledger page by page, as a stream, so memory stays flat when nothing is saved. */
export async function* fetchLedger(baseUrl: string, key: string, pageSize = PAGE_SIZE): AsyncGenerator<LedgerRow> {
  let afterSeq = 0;
  for (;;) {
    const page = await fetchEvidence<LedgerPageBody>(
      baseUrl,
      key,
      `/ledger?afterSeq=${afterSeq}&limit=${pageSize}`,
    );
    // A scoped key sees its connections' entries only: the gaps would read as a tampered chain.
    if (page.connectionIds) throw new Error('this API key is scoped to connections and sees part of the ledger: verify with an unscoped auditor key');
    yield* page.items;
    if (page.nextAfterSeq === null) return;
    if (!(page.nextAfterSeq > afterSeq)) throw new Error(`the server's paging did not advance past seq ${afterSeq}`);
    afterSeq = page.nextAfterSeq;
  }
}

/**
 * Checkpoints, the key and the signed head first, then the ledger: every checkpoint and the head
 * fetched are then at or below the last entry fetched, and a server that leaves entries out of the
 * pages is caught by its own signed head.
 */
export async function fetchExport(baseUrl: string, key: string): Promise<EvidenceExport> {
  const { items: checkpoints } = await fetchEvidence<{ items: CheckpointRow[] }>(baseUrl, key, '/checkpoints');
  const { publicKeyPem } = await fetchEvidence<{ publicKeyPem: string }>(baseUrl, key, '/public-key');
  const head = await fetchEvidence<CheckpointRow>(baseUrl, key, '/head');
  const entries: LedgerRow[] = [];
  for await (const row of fetchLedger(baseUrl, key)) entries.push(row);
  return { entries, checkpoints, publicKeyPem, head };
}

/** Top-level JSON values one after another (pages saved with `curl ... >> pages.json`), or one value. */
export function parseJsonSequence(text: string): unknown[] {
  const values: unknown[] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i += 1;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
    } else if (c === '{' || c === '[') {
      if (depth === 0) start = i;
      depth += 1;
    } else if (c === '}' || c === ']') {
      depth -= 1;
      if (depth < 0) throw new Error(`unbalanced ${c} at offset ${i}`);
      if (depth === 0) values.push(JSON.parse(text.slice(start, i + 1)));
    } else if (depth === 0 && !/\s/.test(c)) {
      throw new Error(`unexpected ${JSON.stringify(c)} at offset ${i}: expected a JSON object or array`);
    }
  }
  if (depth !== 0 || inString) throw new Error('the JSON ends in the middle of a value');
  return values;
}

const isPage = (v: unknown): v is LedgerPageBody => typeof v === 'object' && v !== null && Array.isArray((v as LedgerPageBody).items);
const isExport = (v: unknown): v is EvidenceExport =>
  typeof v === 'object' && v !== null && Array.isArray((v as EvidenceExport).entries) && Array.isArray((v as EvidenceExport).checkpoints);

/**
 * Reads a copy: an export written by --save, or ledger pages as the API returns them (one or more
 * per file, or an array of them; a directory of .json files). Pages are put in seq order by their
 * first entry, so file names do not matter; their entries are not sorted or deduplicated, so an
 * overlap or a gap still shows.
 */
export function readCopy(path: string): EvidenceCopy {
  let values: unknown[];
  try {
    const files = statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((f) => f.endsWith('.json'))
          .sort()
          .map((f) => join(path, f))
      : [path];
    if (files.length === 0) throw new Error('the directory holds no .json file');
    values = files.flatMap((f) => {
      try {
        return parseJsonSequence(readFileSync(f, 'utf8')).flatMap((v) => (Array.isArray(v) ? v : [v]));
      } catch (err) {
        throw new Error(`${f}: ${(err as Error).message}`);
      }
    });
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as Error).message}`);
  }
  if (values.length === 1 && isExport(values[0])) {
    const e = values[0];
    if (typeof e.publicKeyPem !== 'string') throw new UsageError(`${path} is an export without its publicKeyPem`);
    return e;
  }
  if (values.length === 0 || !values.every(isPage)) {
    throw new UsageError(
      `${path} is neither an evidence export ({entries, checkpoints, publicKeyPem}) nor ledger pages ({items, nextAfterSeq, signedHead} from GET /evidence/ledger)`,
    );
  }
  if (values.some((p) => p.connectionIds)) {
    throw new UsageError(`${path} holds pages read with a key scoped to connections: they are part of the ledger only. Read it with an unscoped auditor key`);
  }
  const pages = values.filter((p) => p.items.length > 0).sort((a, b) => a.items[0].seq - b.items[0].seq);
  // Each page carries the latest stored checkpoint at the time it was read; the newest one covers the most.
  const heads = values.map((p) => p.signedHead).filter((c): c is CheckpointRow => Boolean(c));
  const checkpoints = heads.length > 0 ? [heads.reduce((a, b) => (b.seq > a.seq ? b : a))] : [];
  return { entries: pages.flatMap((p) => p.items), checkpoints };
}

function report(out: Output, result: VerifyReport, head: CheckpointRow | undefined, stored: CheckpointRow[]): number {
  if (result.ok) {
    // On success every stored checkpoint was checked; the head, counted among them by the verifier, is reported apart.
    const lastStored = stored.reduce<number | null>((max, c) => (max === null || c.seq > max ? c.seq : max), null);
    out.log(
      `evidence ledger OK: ${result.entriesChecked} entries, head seq ${result.headSeq}${result.headHash ? ` (${result.headHash})` : ''}, ` +
        `${stored.length} signed checkpoint(s) verified${lastStored ? `, the last at seq ${lastStored}` : ''}`,
    );
    if (head) {
      out.log(`the copy holds every entry up to the signed head at seq ${head.seq} (signed ${head.signedAt} with key ${head.keyId})`);
      if (result.headSeq > head.seq) out.error(`note: entries after seq ${head.seq} were appended after the head was signed and are covered by no signature`);
    } else if (result.headSeq > (lastStored ?? 0)) {
      out.error(
        `note: no signed head to check against (give --url, or verify an export saved with --save); entries after seq ${lastStored ?? 0} ` +
          'are not covered by a signed checkpoint yet, so their removal would not be detectable',
      );
    }
    return 0;
  }
  out.log(`evidence ledger BROKEN at seq ${result.firstBadSeq ?? '?'}: ${result.problem}`);
  out.log(`${result.entriesChecked} entries verified before it; last good checkpoint: ${result.lastCheckpointSeq ?? 'none'}`);
  return 1;
}

/**
 * The signed head joins the checkpoints: the verifier checks its signature and its hash at its seq,
 * and a head beyond the copy's last entry is a cut tail, reported with the missing seqs. seq 0 (an
 * empty ledger) has nothing to match.
 */
function withHead(checkpoints: CheckpointRow[], head: CheckpointRow | undefined): CheckpointRow[] {
  return head && head.seq > 0 ? [...checkpoints, head] : checkpoints;
}

export async function run(argv: string[], out: Output, env: Record<string, string | undefined> = process.env): Promise<number> {
  try {
    const options = parseArgs(argv, env);
    if (options.source === 'help') {
      out.log(HELP);
      return 0;
    }
    const pinned = options.publicKeyFiles.map((f) => {
      try {
        return toPublicKey(readFileSync(f, 'utf8'));
      } catch (err) {
        throw new UsageError(`--public-key ${f}: ${(err as Error).message}`);
      }
    });

    let entries: AsyncIterable<LedgerRow> | LedgerRow[];
    let checkpoints: CheckpointRow[];
    let servedPem: string | undefined;
    let head: CheckpointRow | undefined;
    if (options.source === 'file') {
      ({ entries, checkpoints, publicKeyPem: servedPem, head } = readCopy(options.file));
      if (options.url) {
        // The live head: a copy taken earlier than it lacks the entries since, and is reported so.
        head = await fetchEvidence<CheckpointRow>(options.url, options.key!, '/head');
        servedPem ??= (await fetchEvidence<{ publicKeyPem: string }>(options.url, options.key!, '/public-key')).publicKeyPem;
      }
      if (!servedPem && pinned.length === 0) throw new UsageError(`${options.file} carries no public key (ledger pages do not): give --public-key <pem> or --url`);
    } else if (options.save) {
      const exported = await fetchExport(options.url, options.key);
      writeFileSync(options.save, JSON.stringify(exported));
      out.log(`saved ${exported.entries.length} entries, ${exported.checkpoints.length} checkpoint(s) and the signed head to ${options.save}`);
      ({ entries, checkpoints, publicKeyPem: servedPem, head } = exported);
    } else {
      ({ items: checkpoints } = await fetchEvidence<{ items: CheckpointRow[] }>(options.url, options.key, '/checkpoints'));
      ({ publicKeyPem: servedPem } = await fetchEvidence<{ publicKeyPem: string }>(options.url, options.key, '/public-key'));
      head = await fetchEvidence<CheckpointRow>(options.url, options.key, '/head');
      entries = fetchLedger(options.url, options.key);
    }

    let keys: KeyObject[];
    const from = options.source === 'file' && !options.url ? 'export' : 'server';
    if (pinned.length > 0) {
      keys = pinned;
      const servedId = servedPem ? keyIdOf(toPublicKey(servedPem)) : undefined;
      if (servedId && !pinned.some((k) => keyIdOf(k) === servedId)) {
        out.error(`warning: the ${from} names public key ${servedId}, which is not among the pinned keys`);
      }
    } else {
      keys = [toPublicKey(servedPem!)];
      out.error(
        `warning: no --public-key pinned; checking signatures with key ${keyIdOf(keys[0])} as ${from === 'export' ? 'the export states it' : 'the server serves it'}. ` +
          'Pin the key you obtained out of band for a verification that does not trust the source.',
      );
    }
    return report(out, await verifyLedger(entries, withHead(checkpoints, head), keys), head, checkpoints);
  } catch (err) {
    if (err instanceof UsageError) {
      out.error(`${err.message}\n${USAGE}`);
    } else {
      // fetch hides the reason (ECONNREFUSED, a TLS error) in `cause`.
      const cause = (err as Error & { cause?: Error & { code?: string } }).cause;
      out.error(`could not verify: ${(err as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}`);
    }
    return 2;
  }
}

if (require.main === module) {
  void run(process.argv.slice(2), console).then((code) => {
    process.exitCode = code;
  });
}
