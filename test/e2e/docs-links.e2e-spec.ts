import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Keeps the documentation honest: every relative link in README.md, docs/*.md and
 * deploy/README.md reaches an existing file (and heading, for `#anchor`), every docs page is
 * reachable from the README, and the README stays a front door, not a manual.
 */

const ROOT = path.resolve(__dirname, '../..');
const README_MAX_LINES = 220;

function markdownFiles(): string[] {
  const docs = fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => path.join('docs', name));
  return ['README.md', path.join('deploy', 'README.md'), ...docs].filter((file) =>
    fs.existsSync(path.join(ROOT, file)),
  );
}

/** The text outside fenced code blocks and inline code, where links and headings live. */
function prose(markdown: string): string {
  return markdown
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '')
    .replace(/`[^`\n]*`/g, (code) =>
      // Inline code is kept as text (headings use it) but can hold no link.
      code.replace(/[[\]()]/g, ' '),
    );
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function headingAnchors(markdown: string): Set<string> {
  const withoutFences = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const match of withoutFences.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = match[1]
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

interface Link {
  file: string;
  target: string;
}

function relativeLinks(file: string): Link[] {
  const text = prose(fs.readFileSync(path.join(ROOT, file), 'utf8'));
  const links: Link[] = [];
  for (const match of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const target = match[1];
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
    links.push({ file, target });
  }
  return links;
}

/** Why a link is broken, or undefined when it is fine. */
function brokenBecause(link: Link): string | undefined {
  const [filePart, anchor] = link.target.split('#', 2);
  const resolved = filePart
    ? path.resolve(path.dirname(path.join(ROOT, link.file)), decodeURI(filePart))
    : path.join(ROOT, link.file);
  if (!resolved.startsWith(ROOT)) return 'points outside the repository';
  if (!fs.existsSync(resolved)) return 'no such file';
  if (anchor === undefined || anchor === '') return undefined;
  if (!resolved.endsWith('.md')) return 'an anchor into a file that is not Markdown';
  const anchors = headingAnchors(fs.readFileSync(resolved, 'utf8'));
  return anchors.has(decodeURIComponent(anchor)) ? undefined : `no heading #${anchor}`;
}

describe('documentation links', () => {
  it('finds the README and the docs pages', () => {
    const files = markdownFiles();
    expect(files).toContain('README.md');
    expect(files.filter((file) => file.startsWith('docs'))).not.toHaveLength(0);
  });

  it('has every relative link in README.md, deploy/README.md and docs/*.md pointing at an existing file and heading', () => {
    const links = markdownFiles().flatMap(relativeLinks);
    expect(links.length).toBeGreaterThan(20);
    const broken = links
      .map((link) => ({ link, why: brokenBecause(link) }))
      .filter((entry) => entry.why !== undefined)
      .map(({ link, why }) => `${link.file}: ${link.target} (${why})`);
    expect(broken).toEqual([]);
  });

  it('links every docs page from the README', () => {
    const fromReadme = new Set(
      relativeLinks('README.md').map((link) => path.normalize(link.target.split('#')[0])),
    );
    const pages = markdownFiles().filter((file) => file.startsWith('docs'));
    expect(pages.filter((page) => !fromReadme.has(page))).toEqual([]);
  });

  it(`keeps README.md at most ${README_MAX_LINES} lines`, () => {
    const lines = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    expect(lines.length).toBeLessThanOrEqual(README_MAX_LINES);
  });

  it('computes anchors the way GitHub does', () => {
    const anchors = headingAnchors(
      [
        '# Operations',
        '## Reconciliation: no payment stays stuck',
        '## The `test` provider',
        '## Rate limits, body size, headers, CORS',
        '## Planned (not built yet)',
        '## Planned (not built yet)',
        '```bash',
        '# not a heading',
        '```',
      ].join('\n'),
    );
    expect([...anchors]).toEqual([
      'operations',
      'reconciliation-no-payment-stays-stuck',
      'the-test-provider',
      'rate-limits-body-size-headers-cors',
      'planned-not-built-yet',
      'planned-not-built-yet-1',
    ]);
  });
});
