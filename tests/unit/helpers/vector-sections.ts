/**
 * Which test file checks which top-level section of docs/test-vectors.json; each file
 * requires that it read every value in its sections, and test-vectors.test.ts that
 * the sections listed here are all the file has.
 */
export const DESCRIPTIVE_FIELDS = ['description', 'protocol', 'spec', 'generator', 'encoding', 'one_time_values'] as const;
/** Checked in tests/unit/core/test-vectors.test.ts. */
export const LINK_SECTIONS = ['invite', 'signal', 'handshake'] as const;
/** Checked in tests/unit/core/test-vectors-sections.test.ts. */
export const FURTHER_SECTIONS = ['attempt_signals', 'cpace', 'records', 'rejected_records', 'identity', 'resumption'] as const;
