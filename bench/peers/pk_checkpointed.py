#!/usr/bin/env python3
"""A PyKEEN runner (pk_run.py or pk_transe.py) with checkpoints, so that an interrupted peer row resumes.

Usage: pk_checkpointed.py <checkpoint dir> <runner.py> [the runner's flags...]

PyKEEN 1.10.1's training loop can checkpoint itself (`TrainingLoop.train(checkpoint_name=..., checkpoint_directory=...,
checkpoint_frequency=<minutes>)`): the model, the optimiser, the epoch, the losses and the Python, NumPy and torch
random states, and on the next start with the same name it loads them and trains on from that epoch. The shared
runner does not pass those arguments; this wrapper adds them to every `train` call and then runs the runner
unchanged. What it adds:
  - the checkpoint is written to a temporary file and renamed over the old one, so a process killed while saving
    leaves the previous checkpoint whole (PyKEEN writes it in place);
  - PyKEEN only refuses a checkpoint whose model or optimiser differs, not one of other epochs, seed, batch or
    negatives: the runner and its flags are kept in runner.json beside the checkpoint, and a checkpoint of other
    flags is refused by name (exit 2) instead of resumed;
  - a finished run's checkpoint is renamed pykeen-checkpoint.done.pt, so that running the row again trains it again
    instead of "resuming" a finished run;
  - the runner's JSON line gains `resumed_after_epoch` (null when the run was not resumed) and `epochs` counts the
    epochs of every attempt (the runner's own count and timings cover this process only).
The checkpoint is written every 5 minutes of training (PK_CHECKPOINT_MINUTES, 0: every epoch) and after the last epoch.
"""
import contextlib
import io
import json
import os
import runpy
import sys

CHECKPOINT_NAME = "pykeen-checkpoint.pt"
FINISHED_NAME = "pykeen-checkpoint.done.pt"
RUNNER_FILE = "runner.json"


def fail(message, code=2):
    """Prints one line naming what is wrong and exits with `code`."""
    print(f"pk_checkpointed.py: {message}", file=sys.stderr)
    sys.exit(code)


def usage(message):
    fail(f"{message}\nusage: pk_checkpointed.py <checkpoint dir> <runner.py> [runner flags...]", code=1)


def checkpoint_minutes():
    """PK_CHECKPOINT_MINUTES (default 5; 0: after every epoch), checked."""
    text = os.environ.get("PK_CHECKPOINT_MINUTES", "5")
    if not text.isdigit():
        fail(f"PK_CHECKPOINT_MINUTES must be a whole number of minutes (0: every epoch); got '{text}'")
    return int(text)


def claim_checkpoint(checkpoint_dir, runner, flags):
    """Keeps the runner and its flags beside the checkpoint; refuses a checkpoint that other flags wrote."""
    record = {"runner": os.path.basename(runner), "flags": flags}
    record_path = os.path.join(checkpoint_dir, RUNNER_FILE)
    checkpoint = os.path.join(checkpoint_dir, CHECKPOINT_NAME)
    if os.path.isfile(checkpoint):
        try:
            with open(record_path) as file:
                kept = json.load(file)
        except (OSError, ValueError):
            kept = None
        if kept != record:
            fail(f"{checkpoint} was written by another run ({record_path}: {json.dumps(kept)}), not by "
                 f"{json.dumps(record)}; delete {checkpoint_dir} to train this run from the start")
        return
    with open(f"{record_path}.partial", "w") as file:
        json.dump(record, file)
    os.replace(f"{record_path}.partial", record_path)


def main():
    if len(sys.argv) < 3:
        usage("a checkpoint directory and a runner are required")
    checkpoint_dir, runner = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    if not os.path.isfile(runner):
        usage(f"the runner {runner} does not exist")
    minutes = checkpoint_minutes()
    os.makedirs(checkpoint_dir, exist_ok=True)
    flags = sys.argv[3:]
    claim_checkpoint(checkpoint_dir, runner, flags)
    checkpoint = os.path.join(checkpoint_dir, CHECKPOINT_NAME)
    sys.path.insert(0, os.path.dirname(runner))  # as when the runner is started as a script

    from pykeen.training.training_loop import TrainingLoop

    progress = {"resumed_after_epoch": None, "epochs": None}
    original_train, original_save, original_load = TrainingLoop.train, TrainingLoop._save_state, TrainingLoop._load_state

    def train(self, *args, **kwargs):
        kwargs.update(checkpoint_name=CHECKPOINT_NAME, checkpoint_directory=checkpoint_dir, checkpoint_frequency=minutes)
        losses = original_train(self, *args, **kwargs)
        progress["epochs"] = self._epoch
        return losses

    def save_state(self, path, *args, **kwargs):
        partial = f"{path}.partial"
        original_save(self, partial, *args, **kwargs)
        with open(partial, "rb") as file:
            os.fsync(file.fileno())
        os.replace(partial, path)

    def load_state(self, path, *args, **kwargs):
        loaded = original_load(self, path, *args, **kwargs)
        if os.path.basename(str(path)) == CHECKPOINT_NAME:
            progress["resumed_after_epoch"] = self._epoch
            print(f"pk_checkpointed.py: resuming {path} after epoch {self._epoch}", file=sys.stderr)
        return loaded

    TrainingLoop.train, TrainingLoop._save_state, TrainingLoop._load_state = train, save_state, load_state

    sys.argv = [runner] + flags
    captured = io.StringIO()
    try:
        with contextlib.redirect_stdout(captured):
            runpy.run_path(runner, run_name="__main__")
    except SystemExit as stop:
        if stop.code not in (None, 0):
            sys.stderr.write(captured.getvalue())
            fail(f"the runner {runner} stopped ({stop.code}); checkpoint {checkpoint}")
    except Exception as error:  # noqa: BLE001 — one line naming the runner and the checkpoint, then the cause
        sys.stderr.write(captured.getvalue())
        fail(f"the runner {runner} failed with checkpoint {checkpoint}: {type(error).__name__}: {error}")
    lines = captured.getvalue().strip().split("\n")
    try:
        result = json.loads(lines[-1])
    except ValueError:
        sys.stderr.write(captured.getvalue())
        fail(f"the runner {runner} did not end with a JSON line")
    if os.path.isfile(checkpoint):
        os.replace(checkpoint, os.path.join(checkpoint_dir, FINISHED_NAME))
    result.update(progress, checkpoint=os.path.join(checkpoint_dir, FINISHED_NAME))
    print("\n".join(lines[:-1] + [json.dumps(result)]))


if __name__ == "__main__":
    main()
