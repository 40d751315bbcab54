import { cpSync } from 'node:fs'
import { defineConfig } from 'tsup'

export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      'testing/index': 'src/testing/index.ts',
      'snowplow/index': 'src/snowplow/index.ts',
      'sqlite/index': 'src/sqlite/index.ts',
      'redis/index': 'src/redis/index.ts',
      'openfeature/index': 'src/openfeature/index.ts',
      'collector/index': 'src/collector/index.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    // Shared chunks: one copy of each class, so `instanceof` works across subpaths.
    splitting: true,
    // `import.meta.url` in the CommonJS build (the collector locates its web page with it).
    shims: true,
    // `node:test` exists only with its prefix (eventwire/testing's store contract uses it).
    removeNodeProtocol: false,
    outDir: 'dist',
    onSuccess: async () => {
      cpSync('src/collector/ui', 'dist/collector/ui', { recursive: true })
    },
  },
  {
    entry: { 'cli/main': 'src/cli/main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    removeNodeProtocol: false,
    outDir: 'dist',
  },
])
