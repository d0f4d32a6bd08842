import { defineConfig } from 'vite';

// The built dist/ is a plain static site: relative asset paths let it work from any
// host and sub-path. The signaling URL is baked in at build time through
// VITE_SIGNALING_URL (default: same origin, path /ws; see src/config.ts).
export default defineConfig({
  base: './',
  build: {
    target: 'es2022',
    sourcemap: false,
  },
  server: {
    port: 5173,
  },
});
