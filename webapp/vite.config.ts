// The dashboard is served by nginx's `location /` (try_files … /index.html)
// with assets under /assets/ and a strict CSP (no inline scripts, no CDNs).
import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    // keep everything in files: the CSP forbids inline script
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
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
