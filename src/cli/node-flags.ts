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
 *
 * Half of V8's default cumulative inlining budget (920 → 460 bytecode bytes per optimised
 * function): the server's hot code has no deoptimisation loops (--trace-deopt: at most 3
 * compiles of any function in a 400-pod run), but a long tail of per-pod functions reaches
 * TurboFan only after hundreds of pods (93 first-time compiles in a 100-pod burst after 300),
 * in three isolates, and each compile inlines its callees (~60 ms wall for one). Node burst
 * bench (100 pods, 50 warm), six interleaved pairs at load 13–40: V8 + libuv helper threads
 * 11.5 → 9.1 ms CPU per pod, server process 18 → 15.5, the API thread not slower (5.9 → 5.8).
 * Twice V8's interrupt budget (67,584 → 135,168 bytecode bytes run before a function is
 * considered for TurboFan): the lukewarm tail (once per pod) tiers up later or not at
 * all, what runs per request still tiers up within a few hundred calls. Same bench on top
 * of the above, four interleaved pairs at load 8–25: helpers 9.5 → 6.3 ms per pod, server
 * 15.8 → 12.5, API thread 5.5 → 5.3; one cold pair (no warm-up): helpers 7.3 → 5.4, API
 * thread 7.7 → 8.9 (code stays in the interpreter longer), server 16 → 15.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32', '--max-inlined-bytecode-size-cumulative=460', '--interrupt-budget=135168'];
