// `npm run evidence:verify -- --url https://tollgate:8080 --key <api key> [--public-key key.pem] [--save export.json]`
// `npm run evidence:verify -- --file export.json [--public-key key.pem]`
// Verifies Tollgate's evidence ledger without trusting its database: every hash is recomputed here
// and every checkpoint signature checked against a public key the auditor pinned.
// Exit codes: 0 the chain holds, 1 it is broken (the first bad seq is printed), 2 verification could
// not run (bad arguments, server unreachable, unreadable file).
import type { KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { keyIdOf, toPublicKey, verifyLedger, type CheckpointRow, type LedgerRow, type VerifyReport } from '@tollgate/evidence';

export const USAGE = `usage:
  evidence-verify --url <tollgate base url> [--key <api key> | env TOLLGATE_API_KEY] [--public-key <pem file>]... [--save <export.json>]
  evidence-verify --file <export.json> [--public-key <pem file>]...`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type CliOptions =
  | { source: 'url'; url: string; key: string; publicKeyFiles: string[]; save?: string }
  | { source: 'file'; file: string; publicKeyFiles: string[] };

/** An offline export: everything needed to verify, in one JSON file. */
export interface EvidenceExport {
  entries: LedgerRow[];
  checkpoints: CheckpointRow[];
  publicKeyPem: string;
}

export interface Output {
  log(line: string): void;
  error(line: string): void;
}

const PAGE_SIZE = 1000;

export function parseArgs(argv: string[], env: Record<string, string | undefined> = process.env): CliOptions {
  const values: Record<string, string> = {};
  const publicKeyFiles: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (!['--url', '--key', '--file', '--save', '--public-key'].includes(flag)) throw new UsageError(`unknown argument ${flag}`);
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    i += 1;
    if (flag === '--public-key') publicKeyFiles.push(value);
    else if (flag.slice(2) in values) throw new UsageError(`${flag} given twice`);
    else values[flag.slice(2)] = value;
  }
  if (values.url && values.file) throw new UsageError('give either --url or --file, not both');
  if (values.file) {
    if (values.key || values.save) throw new UsageError('--key and --save go with --url');
    return { source: 'file', file: values.file, publicKeyFiles };
  }
  if (!values.url) throw new UsageError('give --url or --file');
  let url: URL;
  try {
    url = new URL(values.url);
  } catch {
    throw new UsageError(`--url is not a URL: ${values.url}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError('--url must be http(s)');
  const key = values.key ?? env.TOLLGATE_API_KEY;
  if (!key) throw new UsageError('an API key is required: --key or TOLLGATE_API_KEY (an auditor or admin key)');
  return { source: 'url', url: url.toString().replace(/\/+$/, ''), key, publicKeyFiles, save: values.save };
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
    const page = await fetchEvidence<{ items: LedgerRow[]; nextAfterSeq: number | null; connectionIds?: string[] | null }>(
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

/** Checkpoints and the key first, then the ledger: every checkpoint fetched is then at or below the head fetched. */
export async function fetchExport(baseUrl: string, key: string): Promise<EvidenceExport> {
  const { items: checkpoints } = await fetchEvidence<{ items: CheckpointRow[] }>(baseUrl, key, '/checkpoints');
  const { publicKeyPem } = await fetchEvidence<{ publicKeyPem: string }>(baseUrl, key, '/public-key');
  const entries: LedgerRow[] = [];
  for await (const row of fetchLedger(baseUrl, key)) entries.push(row);
  return { entries, checkpoints, publicKeyPem };
}

export function readExport(file: string): EvidenceExport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const e = parsed as Partial<EvidenceExport> | null;
  if (!e || !Array.isArray(e.entries) || !Array.isArray(e.checkpoints) || typeof e.publicKeyPem !== 'string') {
    throw new UsageError(`${file} is not an evidence export: expected {entries: [...], checkpoints: [...], publicKeyPem}`);
  }
  return e as EvidenceExport;
}

function report(out: Output, result: VerifyReport): number {
  if (result.ok) {
    out.log(
      `evidence ledger OK: ${result.entriesChecked} entries, head seq ${result.headSeq}${result.headHash ? ` (${result.headHash})` : ''}, ` +
        `${result.checkpointsChecked} signed checkpoint(s) verified${result.lastCheckpointSeq ? `, the last at seq ${result.lastCheckpointSeq}` : ''}`,
    );
    if (result.headSeq > (result.lastCheckpointSeq ?? 0)) {
      out.error(`note: entries after seq ${result.lastCheckpointSeq ?? 0} are not covered by a signed checkpoint yet; their removal would not be detectable`);
    }
    return 0;
  }
  out.log(`evidence ledger BROKEN at seq ${result.firstBadSeq ?? '?'}: ${result.problem}`);
  out.log(`${result.entriesChecked} entries verified before it; last good checkpoint: ${result.lastCheckpointSeq ?? 'none'}`);
  return 1;
}

export async function run(argv: string[], out: Output, env: Record<string, string | undefined> = process.env): Promise<number> {
  try {
    const options = parseArgs(argv, env);
    const pinned = options.publicKeyFiles.map((f) => {
      try {
        return toPublicKey(readFileSync(f, 'utf8'));
      } catch (err) {
        throw new UsageError(`--public-key ${f}: ${(err as Error).message}`);
      }
    });

    let entries: AsyncIterable<LedgerRow> | LedgerRow[];
    let checkpoints: CheckpointRow[];
    let servedPem: string;
    if (options.source === 'file') {
      ({ entries, checkpoints, publicKeyPem: servedPem } = readExport(options.file));
    } else if (options.save) {
      const exported = await fetchExport(options.url, options.key);
      writeFileSync(options.save, JSON.stringify(exported));
      out.log(`saved ${exported.entries.length} entries and ${exported.checkpoints.length} checkpoint(s) to ${options.save}`);
      ({ entries, checkpoints, publicKeyPem: servedPem } = exported);
    } else {
      ({ items: checkpoints } = await fetchEvidence<{ items: CheckpointRow[] }>(options.url, options.key, '/checkpoints'));
      ({ publicKeyPem: servedPem } = await fetchEvidence<{ publicKeyPem: string }>(options.url, options.key, '/public-key'));
      entries = fetchLedger(options.url, options.key);
    }

    let keys: KeyObject[];
    if (pinned.length > 0) {
      keys = pinned;
      const servedId = keyIdOf(toPublicKey(servedPem));
      if (!pinned.some((k) => keyIdOf(k) === servedId)) {
        out.error(`warning: the ${options.source === 'file' ? 'export' : 'server'} names public key ${servedId}, which is not among the pinned keys`);
      }
    } else {
      keys = [toPublicKey(servedPem)];
      out.error(
        `warning: no --public-key pinned; checking signatures with key ${keyIdOf(keys[0])} as ${options.source === 'file' ? 'the export states it' : 'the server serves it'}. ` +
          'Pin the key you obtained out of band for a verification that does not trust the source.',
      );
    }
    return report(out, await verifyLedger(entries, checkpoints, keys));
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
