// Every Content Security Policy violation in a Playwright browser context (Chromium), from three
// sources, none filtered:
// - the DevTools issues of every page (the Audits domain: each ContentSecurityPolicyIssue, which
//   Chromium records for every frame of the page: inline code, eval, a blocked URL). This is the
//   one that sees a webview's violations while it loads: VS Code writes a webview's content into
//   its frame with document.open(), which drops any listener put there earlier, and Chromium
//   reports a blocked eval as an issue only, never on the console;
// - a `securitypolicyviolation` listener that an init script puts in every document (the HTML
//   reports; the webview frames once listenInAllFrames() has run), reporting through a binding;
// - every console message about a Content Security Policy, from any frame of any page.
// plantViolation() proves the watch sees the dashboard's own frame: it adds a script without the
// page's nonce, which the policy must block and the watch must report.

/**
 * Starts watching `context` (call before its pages load). Returns the live list of violations:
 * `{ via: 'issue', kind, directive, blocked, reportOnly, frame }` (kind: kInlineViolation, kEvalViolation,
 * kURLViolation, ...; frame: the URL of the code or document), `{ via: 'event', directive, blocked,
 * sample, documentURI, frame }` or `{ via: 'console', text, frame }`; `violations.settled()`
 * resolves once every page opened so far is watched.
 */
export async function watchCsp(context) {
  const violations = [];
  await context.exposeBinding('__datasetLabCspViolation', ({ frame }, v) => violations.push({ via: 'event', ...v, frame: frame?.url() ?? '' }));
  await context.addInitScript(listen);
  const attached = new Set();
  // Audits.enable sends the issues recorded so far, then each new one: nothing is missed while attaching.
  const attach = async (target) => {
    if (attached.has(target)) return;
    let session;
    try {
      session = await context.newCDPSession(target);
    } catch {
      return; // a frame in its page's process: the page's session has its issues
    }
    attached.add(target);
    session.on('Audits.issueAdded', ({ issue }) => {
      const d = issue.details.contentSecurityPolicyIssueDetails;
      if (issue.code === 'ContentSecurityPolicyIssue' && d)
        violations.push({ via: 'issue', kind: d.contentSecurityPolicyViolationType, directive: d.violatedDirective, blocked: d.blockedURL ?? '', reportOnly: d.isReportOnly, frame: d.sourceCodeLocation?.url ?? '' });
    });
    await session.send('Audits.enable');
  };
  const pending = [];
  const watchPage = (page) => {
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push({ via: 'console', text: m.text(), frame: m.location()?.url ?? '' });
    });
    pending.push(attach(page));
    // A frame in a process of its own (a cross-site frame under site isolation) has its own issues.
    page.on('framenavigated', (f) => f !== page.mainFrame() && pending.push(attach(f)));
  };
  context.pages().forEach(watchPage);
  context.on('page', watchPage);
  await Promise.all(pending);
  // Resolves when every page's issues are watched (each page's recorded issues have been sent).
  Object.defineProperty(violations, 'settled', { value: () => Promise.all(pending) });
  return violations;
}

/** In the page's frame: report its `securitypolicyviolation` events (once per document). */
function listen() {
  if (document.__datasetLabCspListening) return;
  document.__datasetLabCspListening = true;
  // Capture phase on the document: the event is fired at the offending element or the document.
  document.addEventListener(
    'securitypolicyviolation',
    (e) => {
      const report = { directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample, documentURI: e.documentURI.slice(0, 200), disposition: e.disposition };
      // The binding may not be installed yet in a frame that is still starting: retry briefly.
      const send = (tries) => (typeof window.__datasetLabCspViolation === 'function' ? window.__datasetLabCspViolation(report) : tries > 0 && setTimeout(() => send(tries - 1), 50));
      send(40);
    },
    true,
  );
}

/**
 * Listens again in every frame of `page`: VS Code writes a webview's content into its frame with
 * document.open(), which drops the listeners the init script added (issues and the console still report).
 */
export async function listenInAllFrames(page) {
  await Promise.all(page.frames().map((f) => f.evaluate(listen).catch(() => undefined)));
}

/** Summaries of `violations` for an assertion message. */
export const describeViolations = (violations) =>
  violations.map((v) =>
    v.via === 'issue'
      ? `issue: ${v.kind} of ${v.directive}${v.blocked ? ` (${v.blocked})` : ''}${v.reportOnly ? ' (report only)' : ''} at ${v.frame}`
      : v.via === 'event'
        ? `event: ${v.directive} blocked ${v.blocked || '(inline)'} in ${v.documentURI} (${v.sample ?? ''})`
        : `console: ${v.text}`,
  );

/**
 * Adds, in `frame` (a Playwright Frame), an inline script without the page's nonce: under the
 * dashboard's policy it must not run. Resolves with whether it ran.
 */
export async function plantViolation(frame, marker) {
  return frame.evaluate((m) => {
    const s = document.createElement('script');
    s.textContent = `window[${JSON.stringify(m)}] = true;`;
    document.body.appendChild(s);
    return window[m] === true;
  }, marker);
}
