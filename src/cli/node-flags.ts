/**
 * V8 flags for the `kubeling server` process, set on bin/kubeling's shebang (a test keeps the
 * two the same) and by the benches and tests that spawn the server's entry point directly.
 * A 32 MB young-generation semi-space for the main thread (the API server): its garbage is
 * requests, watch events and decoded objects that live across a few turns, and with V8's
 * 16 MB default, scavenges copied them again and again. SchedulingBasic (5,000 nodes, 10,000
 * pods), two back-to-back pairs at load 3–4: server CPU 1,161 → 935 and 1,160 → 967 µs per
 * pod. The semi-space grows only while there is that much garbage: idle RSS is unchanged,
 * peak RSS under that load is ~20–35 MB higher. Worker threads set their own
 * (components-thread.ts); the agent's own process uses AGENT_NODE_FLAGS.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32'];
