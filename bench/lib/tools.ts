// Finds the external programs a benchmark needs, and names the Debian package to install when one is
// missing (checked at start, before anything is loaded).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const packages: Record<string, string> = {
  knotd: 'knot',
  dnsperf: 'dnsperf',
  'redis-server': 'redis-server',
};

const found = new Map<string, string>();

function locate(tool: string): string | undefined {
  const res = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
  if (res.status === 0 && res.stdout.trim()) return res.stdout.trim();
  // Daemons live in /usr/sbin, which is often not on a normal user's PATH.
  for (const dir of ['/usr/sbin', '/sbin', '/usr/local/sbin']) if (existsSync(`${dir}/${tool}`)) return `${dir}/${tool}`;
  return undefined;
}

/** Throws one clear message naming every missing tool and the packages that provide them. */
export function requireTools(tools: string[]): void {
  const missing = tools.filter((t) => {
    const path = locate(t);
    if (path) found.set(t, path);
    return !path;
  });
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.map((t) => packages[t] ?? t))];
  throw new Error(`missing ${missing.join(', ')}: install with \`sudo apt-get install ${pkgs.join(' ')}\` (Debian/Ubuntu)`);
}

/** The path of a tool checked by requireTools. */
export function tool(name: string): string {
  const path = found.get(name) ?? locate(name);
  if (!path) requireTools([name]);
  return found.get(name) ?? path!;
}
