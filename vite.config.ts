import { defineConfig, loadEnv } from 'vite';
import { hardening } from './scripts/vite-plugin-hardening.ts';

// The built dist/ is a plain static site: relative asset paths let it work from any
// host and sub-path. The signaling URL is baked in at build time through
// VITE_SIGNALING_URL (default: same origin, path /ws; see src/config.ts).
export default defineConfig(({ mode }) => {
  const env = { ...loadEnv(mode, process.cwd(), 'VITE_'), ...process.env };
  return {
    base: './',
    build: {
      target: 'es2022',
      sourcemap: false,
    },
    plugins: [hardening({ signalingUrl: env.VITE_SIGNALING_URL || undefined })],
    server: {
      port: 5173,
    },
  };
});
