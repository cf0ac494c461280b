/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Served by the Nest app at /dashboard (src/dashboard/dashboard.controller.ts); `npm run dev`
// proxies the API to a server started with `npm run start:dev`.
export default defineConfig({
  base: '/dashboard/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The server sets a strict Content-Security-Policy: no inline scripts, no eval.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 700,
  },
  server: {
    proxy: { '/api': 'http://localhost:28888', '/dashboard/config.json': 'http://localhost:28888' },
  },
  test: {
    // Component tests ask for a DOM with `// @vitest-environment happy-dom`; the rest run in Node.
    environment: 'node',
    // The API client's base URL is the page's origin.
    environmentOptions: { happyDOM: { url: 'http://localhost:28888/dashboard/' } },
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
