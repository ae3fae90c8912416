/**
 * Reads a dashboard page as a browser would (parse5, the WHATWG HTML parser) and lists every way
 * it breaks the dashboard's security rules: a Content Security Policy with `default-src 'none'`,
 * scripts only by the page's nonce, no eval and no inline script, nothing from the network.
 * Returns the problems in words; an empty list means the page keeps every rule.
 */
import { parse } from 'parse5';
import type { DefaultTreeAdapterMap } from 'parse5';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

export interface AuditOptions {
  /**
   * The webview's resource origin (Webview.cspSource, e.g. `https://*.vscode-cdn.net`): the only
   * place a webview page may load files from. Absent for a self-contained file, which loads nothing.
   */
  readonly origin?: string;
}

export interface CspAudit {
  readonly problems: string[];
  /** Directive name -> sources, as the page's policy states them. */
  readonly directives: Map<string, string[]>;
  readonly nonce: string | undefined;
  /** Scripts the browser would run: external (`src`) or inline. */
  readonly scripts: { readonly src?: string; readonly nonce?: string; readonly inline: boolean }[];
}

/** MIME types a browser executes as classic scripts, plus `module` (the HTML standard's list). */
const JS_TYPES = /^(|module|(application|text)\/(x-)?(java|ecma)script|text\/(javascript1\.[0-5]|jscript|livescript))$/i;
/** Attributes that hold a URL the browser fetches or navigates to. */
const URL_ATTRIBUTES = new Set(['src', 'href', 'action', 'formaction', 'poster', 'data', 'background', 'srcset', 'xlink:href', 'ping', 'manifest', 'codebase', 'cite']);

function elements(node: Node, out: Element[] = []): Element[] {
  if ('tagName' in node) out.push(node);
  const children = 'childNodes' in node ? node.childNodes : [];
  for (const c of children) elements(c, out);
  // <template> content is a separate fragment.
  if ('content' in node && node.content) elements(node.content, out);
  return out;
}

const attr = (e: Element, name: string): string | undefined => e.attrs.find((a) => a.name === name)?.value;
const text = (e: Element): string => e.childNodes.map((c) => ('value' in c && c.nodeName === '#text' ? c.value : '')).join('');

function parsePolicy(policy: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    // The first occurrence of a directive wins; later ones are ignored by browsers.
    if (name && !directives.has(name.toLowerCase())) directives.set(name.toLowerCase(), sources);
  }
  return directives;
}

/** Whether `url` is covered by the host source `origin` (scheme + host, `*.` matching any subdomain). */
function fromOrigin(url: string, origin: string | undefined): boolean {
  if (!origin) return false;
  const m = /^([a-z][a-z0-9+.-]*):\/\/(\*\.)?([^/:]+)$/i.exec(origin);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (!m || u.protocol !== `${m[1].toLowerCase()}:`) return false;
  const host = m[3].toLowerCase();
  return m[2] ? u.hostname.endsWith(`.${host}`) : u.hostname === host;
}

export function auditPage(html: string, options: AuditOptions = {}): CspAudit {
  const problems: string[] = [];
  const all = elements(parse(html));
  const metas = all.filter((e) => e.tagName === 'meta' && attr(e, 'http-equiv')?.toLowerCase() === 'content-security-policy');
  if (metas.length !== 1) problems.push(`${metas.length} Content-Security-Policy meta elements (want 1)`);
  const meta = metas[0];
  const directives = parsePolicy(meta ? (attr(meta, 'content') ?? '') : '');
  if (meta) {
    // A policy in a meta element covers only what comes after it, and only from <head>.
    const before = all.slice(0, all.indexOf(meta)).filter((e) => ['script', 'link', 'style', 'img', 'iframe', 'base'].includes(e.tagName));
    if (before.length) problems.push(`the policy comes after <${before[0].tagName}>, which it does not cover`);
    if (!all.some((e) => e.tagName === 'head' && elements(e).includes(meta))) problems.push('the policy is not in <head>');
  }

  const def = directives.get('default-src');
  if (def?.join(' ') !== "'none'") problems.push(`default-src is ${def ? `"${def.join(' ')}"` : 'missing'} (want 'none')`);
  const scriptSrc = directives.get('script-src') ?? directives.get('default-src') ?? [];
  const nonces = scriptSrc.filter((s) => /^'nonce-[^']+'$/.test(s)).map((s) => s.slice(7, -1));
  const nonce = nonces.length === 1 ? nonces[0] : undefined;
  if (nonces.length !== 1) problems.push(`script-src has ${nonces.length} nonces (want 1)`);
  else if (!/^[A-Za-z0-9+/]{22,}={0,2}$/.test(nonce!)) problems.push(`the nonce "${nonce}" is not base64 of at least 16 random bytes`);
  for (const s of scriptSrc) if (!/^'nonce-[^']+'$/.test(s)) problems.push(`script-src allows ${s} (want the nonce only)`);
  for (const [name, sources] of directives) {
    for (const s of sources) {
      const lower = s.toLowerCase();
      if (lower === "'unsafe-eval'" || lower === "'wasm-unsafe-eval'") problems.push(`${name} allows ${s}`);
      else if (lower === "'unsafe-inline'" && name !== 'style-src') problems.push(`${name} allows ${s}`);
      else if (lower === "'unsafe-hashes'" || lower === "'strict-dynamic'") problems.push(`${name} allows ${s}`);
      else if (lower === '*' || /^(https?|wss?|blob|filesystem):?$/.test(lower) || /^(https?|wss?):\/\//.test(lower) || /^[a-z0-9*][a-z0-9.*-]*\.[a-z]+(:\d+)?$/.test(lower)) {
        // A host source: only the webview's own resource origin, and only for files it serves.
        if (s !== options.origin) problems.push(`${name} allows ${s}, which is remote`);
      }
    }
  }

  const scripts: { src?: string; nonce?: string; inline: boolean }[] = [];
  for (const e of all) {
    for (const a of e.attrs) {
      if (/^on/i.test(a.name)) problems.push(`<${e.tagName} ${a.name}>: an inline event handler`);
      if (URL_ATTRIBUTES.has(a.name.toLowerCase())) {
        const v = a.value.trim();
        if (/^javascript:/i.test(v)) problems.push(`<${e.tagName} ${a.name}="${v}">: a javascript: URL`);
        else if (/^[a-z][a-z0-9+.-]*:/i.test(v) && !/^data:/i.test(v) && !fromOrigin(v, options.origin)) problems.push(`<${e.tagName} ${a.name}="${v}">: loads from outside the page's origin`);
        else if (/^\/\//.test(v)) problems.push(`<${e.tagName} ${a.name}="${v}">: a protocol-relative URL`);
        else if (!/^[a-z][a-z0-9+.-]*:/i.test(v) && v !== '' && !v.startsWith('#')) problems.push(`<${e.tagName} ${a.name}="${v}">: a relative URL (the page has no origin of its own to resolve it against)`);
      }
    }
    if (e.tagName === 'base') problems.push('<base>: base-uri is not covered by default-src');
    if (e.tagName === 'meta' && attr(e, 'http-equiv')?.toLowerCase() === 'refresh') problems.push('<meta http-equiv="refresh">: navigates away');
    if (e.tagName !== 'script') continue;
    const type = (attr(e, 'type') ?? '').trim();
    if (!JS_TYPES.test(type)) {
      // A data block (type="application/json") is never run; it must not pretend to load anything.
      if (attr(e, 'src') !== undefined) problems.push(`<script type="${type}" src>: a data block with a source`);
      continue;
    }
    const s = { inline: attr(e, 'src') === undefined, ...(attr(e, 'src') !== undefined ? { src: attr(e, 'src') } : {}), ...(attr(e, 'nonce') !== undefined ? { nonce: attr(e, 'nonce') } : {}) };
    scripts.push(s);
    const what = s.src ? `<script src="${s.src}">` : `an inline <script> (${JSON.stringify(text(e).slice(0, 40))})`;
    if (s.nonce === undefined) problems.push(`${what} has no nonce`);
    else if (s.nonce !== nonce) problems.push(`${what} has nonce "${s.nonce}", not the policy's`);
  }
  return { problems, directives, nonce, scripts };
}
