// The dashboard is served by nginx's `location /` (try_files … /index.html)
// with assets under /assets/ and a strict CSP (no inline scripts, no CDNs).
// Tailwind CSS 4 comes in through its Vite plugin; `@/` is src/.
import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'
import tailwindcss from '@tailwindcss/vite'

export default defineConfig({
  plugins: [react(), tailwindcss()],
  base: '/',
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    // keep everything in files: the CSP forbids inline script
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    // the initial load is reported by bench/webapp/run.sh; charts and
    // the admin panel are separate chunks loaded on demand
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `npm run dev` against a running control plane (scripts/demo.sh)
    proxy: { '/api': process.env.OCH_API ?? 'http://127.0.0.1:8080' },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
})
