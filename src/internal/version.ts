/** The eventwire version sent as `$lib_version`. Kept in step with package.json by a test. */
export const LIB_VERSION = '0.1.0'
