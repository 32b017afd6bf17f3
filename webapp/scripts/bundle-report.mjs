// The production bundle's weight as a browser fetches it: the initial
// load (index.html and every script, module preload and stylesheet it
// names) gzipped, and each chunk loaded later on demand.
//   node scripts/bundle-report.mjs [--md FILE] [--max-kb N]
// Exits 1 when the initial load is over --max-kb (gzipped KiB).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

const dist = join(import.meta.dirname, '..', 'dist')
const arg = (n) => { const i = process.argv.indexOf(n); return i > 0 ? process.argv[i + 1] : undefined }
const html = readFileSync(join(dist, 'index.html'), 'utf8')
const gz = (f) => gzipSync(readFileSync(join(dist, f)), { level: 9 }).length
const raw = (f) => readFileSync(join(dist, f)).length

const initial = ['index.html', ...[...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1])]
const lazy = readdirSync(join(dist, 'assets')).map((f) => `assets/${f}`)
  .filter((f) => /\.(js|css)$/.test(f) && !initial.includes(f))
const kb = (n) => (n / 1024).toFixed(1)
const rows = (fs) => fs.map((f) => `| \`${f.replace(/-[A-Za-z0-9_-]{8}\./, '.')}\` | ${kb(raw(f))} | ${kb(gz(f))} |`)
const total = initial.reduce((s, f) => s + gz(f), 0)
const md = [
  '| file | KiB | KiB gzipped |', '|---|---:|---:|',
  ...rows(initial), `| **initial load** | ${kb(initial.reduce((s, f) => s + raw(f), 0))} | **${kb(total)}** |`,
  '', 'Loaded on demand:', '', '| chunk | KiB | KiB gzipped |', '|---|---:|---:|', ...rows(lazy),
].join('\n')
console.log(md)
const out = arg('--md')
if (out) writeFileSync(out, md + '\n')
const max = Number(arg('--max-kb') ?? 0)
if (max && total / 1024 > max) {
  console.error(`initial load ${kb(total)} KiB gzipped is over ${max} KiB`)
  process.exit(1)
}
