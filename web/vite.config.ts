// The web app: built to web/dist and served by the hub at `/`; `npm run dev` proxies /api to a
// running hub (COURSEBRIDGE_URL, default http://127.0.0.1:3000).
import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react(), tailwindcss()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1000 },
  server: {
    proxy: { '/api': { target: process.env.COURSEBRIDGE_URL ?? 'http://127.0.0.1:3000', changeOrigin: false } },
  },
});
