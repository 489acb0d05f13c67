/**
 * Scrubs secrets out of anything about to be logged. Keys that name a secret lose their whole value;
 * strings anywhere lose what looks like a credential (bearer/basic values, Slack and Google tokens,
 * JWTs, PEM private keys, secret-bearing query parameters). Over-redacting a harmless value is the
 * accepted price: a credential in a log line is a credential leaked to everyone who reads logs.
 */
export const REDACTED = '[REDACTED]';

const SECRET_KEY_PARTS = ['authorization', 'token', 'secret', 'password', 'passwd', 'credential', 'privatekey', 'apikey', 'cookie', 'assertion'];

const SECRET_PATTERNS: [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, REDACTED],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  [/\bxox[a-z]{1,2}[.-][A-Za-z0-9.-]+/gi, REDACTED],
  [/\bya29\.[A-Za-z0-9._-]+/g, REDACTED],
  [/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, REDACTED],
  [/([?&](?:access_token|refresh_token|id_token|token|client_secret|password|key|code|assertion)=)[^&\s"']+/gi, `$1${REDACTED}`],
  [/((?:client_secret|clientSecret|password|access_token|refresh_token|private_key|privateKey)["']?\s*[:=]\s*["']?)[^"'&\s,}]+/g, `$1${REDACTED}`],
];

const MAX_DEPTH = 8;

export function isSecretKey(key: string): boolean {
  const normalized = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  return SECRET_KEY_PARTS.some((part) => normalized.includes(part));
}

export function redactString(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

export function redact(value: unknown): unknown {
  return walk(value, 0, new WeakSet());
}

function walk(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  seen.add(value);
  if (value instanceof Error) {
    const copy = new Error(redactString(value.message));
    copy.name = value.name;
    copy.stack = value.stack === undefined ? undefined : redactString(value.stack);
    return copy;
  }
  if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1, seen));
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = isSecretKey(key) && v !== null && v !== undefined ? REDACTED : walk(v, depth + 1, seen);
  return out;
}
