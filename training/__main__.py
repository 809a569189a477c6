"""`python -m training [--config C] [--domain D] [--data P] [--out M] [rasa train options]`

Prints the model in use and exits at once when nothing it depends on changed since the
newest model in --out was trained; otherwise runs `rasa train` with the same options (with
--force when the components' code or the libraries changed, which Rasa's own check misses)
and records the new model's fingerprint. Exit code: rasa train's.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from training.fingerprint import fingerprint, newest_model, record, recorded


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training", description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="config.yml")
    parser.add_argument("--domain", default="domain.yml")
    parser.add_argument("--data", default="data")
    parser.add_argument("--out", default="models")
    args, rasa_options = parser.parse_known_args(argv)
    out = Path(args.out)
    current = fingerprint(Path(args.config).resolve(), Path(args.domain).resolve(), Path(args.data).resolve())
    before = recorded(out)
    if before == current and "--force" not in rasa_options:
        print(f"Nothing changed since {newest_model(out)} was trained: rasa train skipped.")
        return train_crisis_classifier()
    rasa = Path(sys.executable).parent / "rasa"
    command = [str(rasa), "train", "--config", args.config, "--domain", args.domain, "--data", args.data,
               "--out", args.out, *rasa_options]
    if before and before.get("code") != current["code"] and "--force" not in rasa_options:
        print("Custom component code or library versions changed: training from scratch (--force).")
        command.append("--force")
    returncode = subprocess.run(command).returncode
    model = newest_model(out)
    if returncode == 0 and model is not None:
        record(out, current, model)
    return returncode or train_crisis_classifier()


def train_crisis_classifier() -> int:
    """The crisis classifier is a file of its own beside the Rasa model, named by its inputs."""
    from safety.classifier import model_path, train_and_save

    existed = model_path().exists()
    path = train_and_save()
    print(f"Crisis classifier {'up to date' if existed else 'trained and saved'}: models/crisis/{path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
