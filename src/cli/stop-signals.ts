/**
 * The signals that stop a command: Ctrl-C, and what service managers, schedulers and containers send (SIGTERM:
 * timeout, docker stop, systemd, Slurm) or a closed terminal (SIGHUP). A training command stops after its current
 * step with its position saved (run-training.ts), a fetch at once with nothing kept (commands/data.ts); each exits
 * with 128 + the signal's number, as a shell reports a process the signal ended.
 */
export const STOP_SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;
