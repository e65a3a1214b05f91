/**
 * A daemon's `/docs`: a self-contained API reference page rendered from its OpenAPI document
 * (no scripts, nothing fetched from elsewhere, so it works on an air-gapped host), linking the
 * document itself at `documentPath`.
 */
export function renderDocsPage(doc: Record<string, unknown>, documentPath: string): string {
  const info = doc.info as { title: string; version: string; description?: string };
  const paths = doc.paths as Record<string, Record<string, Operation>>;
  const byTag = new Map<string, Array<{ method: string; path: string; op: Operation }>>();
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = op.tags?.[0] ?? 'other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), { method: method.toUpperCase(), path, op }]);
    }
  }
  const sections = [...byTag]
    .map(
      ([tag, ops]) =>
        `<section><h2>${esc(tag)}</h2>${ops
          .map(
            ({
              method,
              path,
              op,
            }) => `<details><summary><code class="m ${method}">${method}</code> <code>${esc(path)}</code> ${esc(op.summary ?? '')}${Array.isArray(op.security) && op.security.length > 0 ? ' <span class="auth">auth</span>' : ''}</summary>
${op.parameters?.length ? `<h4>Parameters</h4><pre>${esc(JSON.stringify(op.parameters, null, 2))}</pre>` : ''}
${op.requestBody ? `<h4>Request body</h4><pre>${esc(JSON.stringify(op.requestBody, null, 2))}</pre>` : ''}
<h4>Responses</h4><pre>${esc(JSON.stringify(op.responses, null, 2))}</pre></details>`,
          )
          .join('\n')}</section>`,
    )
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(info.title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
summary{cursor:pointer;padding:.3rem 0}pre{background:#f5f5f5;padding:.5rem;overflow:auto;font-size:12px}
.m{display:inline-block;min-width:4.5rem;font-weight:bold}.GET{color:#0a7}.POST{color:#07c}.DELETE{color:#c33}.PATCH{color:#a60}
.auth{font-size:11px;background:#eee;border-radius:3px;padding:0 4px}</style></head>
<body><h1>${esc(info.title)} <small>${esc(info.version)}</small></h1><p>${esc(info.description ?? '')}
Download the <a href="${esc(documentPath)}">OpenAPI document</a>.</p>${sections}</body></html>`;
}

interface Operation {
  summary?: string;
  tags?: string[];
  parameters?: unknown[];
  requestBody?: unknown;
  responses?: unknown;
  security?: unknown;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
