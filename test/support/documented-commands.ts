import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Reads the ways to start the server that the project documents: the Dockerfile's runtime
 * stage (ENV, WORKDIR, CMD), `npm start`'s command in package.json, and every shell command in
 * README.md, docs/*.md and deploy/README.md that starts the server (`node dist/…`, `npm start`,
 * `docker run …`).
 */

const ROOT = path.resolve(__dirname, '../..');

export interface DockerRuntime {
  env: Record<string, string>;
  workdir: string;
  /** The exec-form CMD, e.g. ["sh", "-c", "…"]. */
  cmd: string[];
  /** The port of EXPOSE. */
  exposedPort: number;
}

/** Shell words of `line`: quotes removed, `$(…)` kept as one word. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      if (end < 0) throw new Error(`unterminated quote in: ${line}`);
      word += line.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '$' && line[i + 1] === '(') {
      const end = line.indexOf(')', i);
      if (end < 0) throw new Error(`unterminated $( in: ${line}`);
      word += line.slice(i, end + 1);
      inWord = true;
      i = end;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (c === '#' && !inWord) {
      break; // a comment to the end of the line
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** The last stage of the Dockerfile: what `docker run` starts. */
export function dockerRuntime(): DockerRuntime {
  const text = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n\s*/g, ' ');
  const lines = text.split('\n');
  const last = lines.map((l) => l.startsWith('FROM ')).lastIndexOf(true);
  const env: Record<string, string> = {};
  let workdir = '/';
  let cmd: string[] = [];
  let exposedPort = 0;
  for (const line of lines.slice(last)) {
    const [instruction, ...rest] = line.trim().split(/\s+/);
    const args = line.trim().slice(instruction.length).trim();
    if (instruction === 'ENV') {
      for (const word of shellWords(args)) {
        const eq = word.indexOf('=');
        env[word.slice(0, eq)] = word.slice(eq + 1);
      }
    } else if (instruction === 'WORKDIR') workdir = rest[0];
    else if (instruction === 'EXPOSE') exposedPort = Number(rest[0]);
    else if (instruction === 'CMD') cmd = JSON.parse(args) as string[];
  }
  return { env, workdir, cmd, exposedPort };
}

/** `npm start`'s command from package.json, as words. */
export function npmStartCommand(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  return shellWords(pkg.scripts.start);
}

export interface DocumentedStart {
  /** `docs/operations.md:112` */
  where: string;
  /** The command as written (continuations joined). */
  text: string;
  kind: 'node' | 'npm-start' | 'docker-run';
  /** Variables assigned before the command (`NAME=value node …`) or passed with `docker run -e`. */
  env: Record<string, string>;
  /** `node` and its arguments (kind `node`). */
  argv: string[];
  /** docker run: `-p host:container` and `-v volume:path`. */
  ports: string[];
  volumes: string[];
}

function markdownFiles(): string[] {
  const docs = fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => path.join('docs', name));
  return ['README.md', path.join('deploy', 'README.md'), ...docs].filter((file) =>
    fs.existsSync(path.join(ROOT, file)),
  );
}

function assignment(word: string): [string, string] | undefined {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(word);
  return match ? [match[1], match[2]] : undefined;
}

/** One `&&`-separated part of a shell line, if it starts the server. */
function parseStart(words: string[]): Omit<DocumentedStart, 'where' | 'text'> | undefined {
  const env: Record<string, string> = {};
  let i = 0;
  for (; i < words.length && assignment(words[i]); i++) {
    const [name, value] = assignment(words[i])!;
    env[name] = value;
  }
  const command = words.slice(i);
  if (command[0] === 'npm' && command[1] === 'start') {
    return { kind: 'npm-start', env, argv: [], ports: [], volumes: [] };
  }
  if (command[0] === 'node' && command.some((word) => word.startsWith('dist/'))) {
    return { kind: 'node', env, argv: command, ports: [], volumes: [] };
  }
  if (command[0] === 'docker' && command[1] === 'run') {
    const ports: string[] = [];
    const volumes: string[] = [];
    for (let j = 2; j < command.length; j++) {
      if (command[j] === '-e') {
        const [name, value] = assignment(command[++j])!;
        env[name] = value;
      } else if (command[j] === '-p') ports.push(command[++j]);
      else if (command[j] === '-v') volumes.push(command[++j]);
    }
    return { kind: 'docker-run', env, argv: command, ports, volumes };
  }
  return undefined;
}

/** Every command in a ```bash block of the docs that starts the server. */
export function documentedStarts(): DocumentedStart[] {
  const starts: DocumentedStart[] = [];
  for (const file of markdownFiles()) {
    const lines = fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n');
    let inBash = false;
    for (let n = 0; n < lines.length; n++) {
      if (/^```/.test(lines[n])) {
        inBash = !inBash && /^```(bash|sh|shell)\s*$/.test(lines[n]);
        continue;
      }
      if (!inBash) continue;
      const first = n;
      let text = lines[n];
      while (text.endsWith('\\') && n + 1 < lines.length) text = text.slice(0, -1) + lines[++n];
      if (!/\bnpm start\b|\bnode\b.*\bdist\/|\bdocker run\b/.test(text)) continue;
      for (const part of text.split('&&')) {
        const parsed = parseStart(shellWords(part));
        if (parsed) {
          starts.push({
            where: `${file}:${first + 1}`,
            text: part.trim().replace(/\s+/g, ' '),
            ...parsed,
          });
        }
      }
    }
  }
  return starts;
}
