"""Speed report: ours against the stock-Rasa peer, same data, same machine, same run.

    python -m evaluation.bench [--quick] [--only-model models/<model>.tar.gz]

Starts the real servers (Rasa with the SQL tracker store, and the action server) on loopback
ports and measures through the REST channel: latency for one user, throughput and p95 at
10 / 50 / 200 concurrent conversations, resident memory, training time from scratch and with
nothing changed, and the time until a started server answers. Bounded: every load step sends a
fixed number of messages and stops by itself. Writes reports/bench.md and reports/latency.png.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

import aiohttp

from cluster.local_assistant import running_assistant
from evaluation.figures import percentile
from settings import PROJECT_ROOT as ROOT

REPORTS = ROOT / "reports"
PIPELINES = {"ours": ROOT / "config.yml", "stock": ROOT / "evaluation" / "configs" / "stock_rasa.yml"}
# A realistic conversation: topics, routing through the action server, a crisis, out of scope
SCRIPT = [
    "hei", "hva er et pakkeforløp?", "sønnen min på 14 sliter, hvem kan vi kontakte?",
    "når kan jeg ringe?", "hva gjør en forløpskoordinator", "unnskyld, det gjelder meg selv, jeg er 30",
    "har dere epost?", "kan pårørende være med?", "når tømmes søpla?", "takk for hjelpen",
]
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=60)
CONCURRENCY_ROUNDS = 5  # rounds of fresh conversations at 10 and 50 at once


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def train(config: Path, out: Path, cache: Path, project_command: bool = False) -> float:
    """Seconds to train. `project_command`: through `python -m training` (what make train / make
    run do: skips Rasa when nothing changed), else plain `rasa train` (stock Rasa's own check)."""
    env = dict(os.environ, RASA_CACHE_DIRECTORY=str(cache), TF_CPP_MIN_LOG_LEVEL="3")
    command = [sys.executable, "-m", "training"] if project_command else [str(Path(sys.executable).parent / "rasa"), "train"]
    started = time.perf_counter()
    subprocess.run([*command, "--config", str(config), "--out", str(out), "--quiet"], cwd=ROOT, env=env,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


async def conversation(session: aiohttp.ClientSession, url: str, sender: str, turns: int,
                       latencies: List[float], errors: List[str]) -> None:
    for turn in range(turns):
        started = time.perf_counter()
        try:
            async with session.post(url, json={"sender": sender, "message": SCRIPT[turn % len(SCRIPT)]}) as reply:
                await reply.read()
                if reply.status != 200:
                    errors.append(str(reply.status))
        except Exception as error:  # noqa: BLE001 - a benchmark counts every failure
            errors.append(type(error).__name__)
        latencies.append((time.perf_counter() - started) * 1000)


async def load(url: str, users: int, turns: int, tag: str, rounds: int = 1) -> Dict[str, float]:
    """`users` conversations at once, each `turns` long; `rounds` times with fresh conversations."""
    latencies: List[float] = []
    errors: List[str] = []
    connector = aiohttp.TCPConnector(limit=users)
    async with aiohttp.ClientSession(timeout=REQUEST_TIMEOUT, connector=connector) as session:
        started = time.perf_counter()
        for round_ in range(rounds):
            await asyncio.gather(*(conversation(session, url, f"{tag}-{users}-{round_}-{i}", turns, latencies, errors)
                                   for i in range(users)))
        elapsed = time.perf_counter() - started
    return {"users": users, "messages": len(latencies), "throughput": len(latencies) / elapsed,
            "p50": percentile(latencies, 50), "p95": percentile(latencies, 95), "p99": percentile(latencies, 99),
            "errors": len(errors), "latencies": latencies}


def measure(name: str, model: Path, workdir: Path, quick: bool) -> Dict[str, object]:
    result: Dict[str, object] = {}
    started = time.perf_counter()
    with running_assistant(workdir / name, model=model) as bot:
        result["startup_s"] = time.perf_counter() - started
        # one user: conversations of a realistic length one after another (a single 200-turn
        # conversation would measure Rasa replaying an ever longer tracker instead)
        single = asyncio.run(load(bot.rest_url, 1, len(SCRIPT), name, rounds=6 if quick else 20))
        result["single"] = single
        print(f"bench: {name}: one user p50 {single['p50']:.1f} ms p95 {single['p95']:.1f} ms", flush=True)
        result["concurrency"] = []
        for users in (10, 50, 200):
            turns = 2 if quick else (10 if users < 200 else 5)
            # one round of 10 or 50 conversations lasts 1-6 s, and its throughput varied from 64
            # to 98 msg/s between runs of the same code: several rounds steady the figure
            rounds = 1 if quick or users >= 200 else CONCURRENCY_ROUNDS
            step = asyncio.run(load(bot.rest_url, users, turns, name, rounds=rounds))
            result["concurrency"].append(step)
            print(f"bench: {name}: {users} conversations: {step['throughput']:.1f} msg/s, "
                  f"p95 {step['p95']:.0f} ms, errors {step['errors']}", flush=True)
        result["rss_rasa_mb"] = rss_mb(bot.pids["rasa"])
        result["rss_actions_mb"] = rss_mb(bot.pids["actions"])
    return result


def ratio(ours: float, peer: float) -> str:
    return f"{ours / peer:.2f}" if peer else "–"


def report(results: Dict[str, Dict[str, object]], stamp: str) -> str:
    o, s = results["ours"], results["stock"]
    rows: List[Tuple[str, float, float]] = [
        ("training from scratch (s)", o["train_scratch_s"], s["train_scratch_s"]),
        ("retraining, nothing changed (s)", o["train_nochange_s"], s["train_nochange_s"]),
        ("retraining, nothing changed, `rasa train`'s own check (s)", o["train_nochange_rasa_s"], s["train_nochange_rasa_s"]),
        ("server start to first reply (s)", o["startup_s"], s["startup_s"]),
        ("one user p50 (ms)", o["single"]["p50"], s["single"]["p50"]),
        ("one user p95 (ms)", o["single"]["p95"], s["single"]["p95"]),
        ("one user p99 (ms)", o["single"]["p99"], s["single"]["p99"]),
    ]
    for a, b in zip(o["concurrency"], s["concurrency"]):
        rows.append((f"{a['users']} conversations: messages/s", a["throughput"], b["throughput"]))
        rows.append((f"{a['users']} conversations: p95 (ms)", a["p95"], b["p95"]))
        rows.append((f"{a['users']} conversations: errors", a["errors"], b["errors"]))
    rows.append(("Rasa server memory (MB RSS)", o["rss_rasa_mb"], s["rss_rasa_mb"]))
    rows.append(("action server memory (MB RSS)", o["rss_actions_mb"], s["rss_actions_mb"]))
    lines = [f"# Speed report ({stamp}, {os.cpu_count()} cores)", "",
             "| figure | ours | stock Rasa | ours/stock |", "|---|---|---|---|"]
    lines += [f"| {label} | {a:.1f} | {b:.1f} | {ratio(a, b)} |" for label, a, b in rows]
    return "\n".join(lines) + "\n"


def plot(results: Dict[str, Dict[str, object]], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    for name, result in results.items():
        users = [step["users"] for step in result["concurrency"]]
        ax.plot([1] + users, [result["single"]["p95"]] + [step["p95"] for step in result["concurrency"]],
                marker="o", label=f"{name} p95")
    ax.set_xscale("log")
    ax.set_xlabel("concurrent conversations")
    ax.set_ylabel("latency (ms)")
    ax.legend()
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer messages per step")
    parser.add_argument("--only-model", type=Path, metavar="MODEL",
                        help="while tuning: measure just this model, no training, no peer, no report")
    args = parser.parse_args()
    if args.only_model:
        with tempfile.TemporaryDirectory() as tmp:
            measure("ours", args.only_model, Path(tmp), args.quick)
        return 0
    REPORTS.mkdir(exist_ok=True)
    results: Dict[str, Dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for name, config in PIPELINES.items():
            out, cache = workdir / f"models-{name}", workdir / f"cache-{name}"
            print(f"bench: {name}: training from scratch ...", flush=True)
            ours = name == "ours"
            scratch = train(config, out, cache, project_command=ours)
            print(f"bench: {name}: retraining with nothing changed ...", flush=True)
            nochange = train(config, out, cache, project_command=ours)
            # Rasa's own check on our project too, so the two checks can be compared
            nochange_rasa = train(config, out, cache) if ours else nochange
            model = sorted(out.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)[-1]
            results[name] = measure(name, model, workdir, args.quick)
            results[name].update(train_scratch_s=scratch, train_nochange_s=nochange,
                                 train_nochange_rasa_s=nochange_rasa)
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    text = report(results, stamp)
    (REPORTS / "bench.md").write_text(text, encoding="utf-8")
    plot(results, REPORTS / "latency.png")
    print(text)
    print(f"bench: wrote {REPORTS / 'bench.md'} and {REPORTS / 'latency.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
