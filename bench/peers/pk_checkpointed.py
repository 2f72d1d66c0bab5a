#!/usr/bin/env python3
"""A PyKEEN runner (pk_run.py or pk_transe.py) with checkpoints, so that an interrupted peer row resumes.

Usage: pk_checkpointed.py <checkpoint dir> <runner.py> [the runner's flags...]

PyKEEN 1.10.1's training loop can checkpoint itself (`TrainingLoop.train(checkpoint_name=..., checkpoint_directory=...,
checkpoint_frequency=<minutes>)`): the model, the optimiser, the epoch, the losses and the Python, NumPy and torch
random states, and on the next start with the same name it loads them and trains on from that epoch. The shared
runner does not pass those arguments; this wrapper adds them to every `train` call and then runs the runner
unchanged. Two things of its own:
  - the checkpoint is written to a temporary file and renamed over the old one, so a process killed while saving
    leaves the previous checkpoint whole (PyKEEN writes it in place);
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
CHECKPOINT_MINUTES = int(os.environ.get("PK_CHECKPOINT_MINUTES", "5"))  # 0: after every epoch


def usage(message):
    sys.exit(f"pk_checkpointed.py: {message}\nusage: pk_checkpointed.py <checkpoint dir> <runner.py> [runner flags...]")


def main():
    if len(sys.argv) < 3:
        usage("a checkpoint directory and a runner are required")
    checkpoint_dir, runner = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    if not os.path.isfile(runner):
        usage(f"the runner {runner} does not exist")
    os.makedirs(checkpoint_dir, exist_ok=True)
    sys.path.insert(0, os.path.dirname(runner))  # as when the runner is started as a script

    from pykeen.training.training_loop import TrainingLoop

    progress = {"resumed_after_epoch": None, "epochs": None}
    original_train, original_save, original_load = TrainingLoop.train, TrainingLoop._save_state, TrainingLoop._load_state

    def train(self, *args, **kwargs):
        kwargs.update(checkpoint_name=CHECKPOINT_NAME, checkpoint_directory=checkpoint_dir, checkpoint_frequency=CHECKPOINT_MINUTES)
        losses = original_train(self, *args, **kwargs)
        progress["epochs"] = self._epoch
        return losses

    def save_state(self, path, *args, **kwargs):
        partial = f"{path}.partial"
        original_save(self, partial, *args, **kwargs)
        os.replace(partial, path)

    def load_state(self, path, *args, **kwargs):
        loaded = original_load(self, path, *args, **kwargs)
        if os.path.basename(str(path)) == CHECKPOINT_NAME:
            progress["resumed_after_epoch"] = self._epoch
            print(f"pk_checkpointed.py: resuming {path} after epoch {self._epoch}", file=sys.stderr)
        return loaded

    TrainingLoop.train, TrainingLoop._save_state, TrainingLoop._load_state = train, save_state, load_state

    sys.argv = [runner] + sys.argv[3:]
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        try:
            runpy.run_path(runner, run_name="__main__")
        except SystemExit as stop:
            if stop.code not in (None, 0):
                raise
    lines = captured.getvalue().strip().split("\n")
    result = json.loads(lines[-1])
    result.update(progress, checkpoint=os.path.join(checkpoint_dir, CHECKPOINT_NAME))
    print("\n".join(lines[:-1] + [json.dumps(result)]))


if __name__ == "__main__":
    main()
