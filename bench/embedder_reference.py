#!/usr/bin/env python3
"""Baseline of aimi_embedder_bench: sentence-transformers (PyTorch) embedding the same short chat
messages, in batches of 32 and one by one, with torch on 2 threads (TORCH_THREADS to change;
docs/benchmarks.md).

    BENCH=build-bench/bin/aimi_embedder_bench   # or any build of bench/embedder_bench.cpp
    HF_HUB_OFFLINE=1 /tmp/minilm-venv/bin/python bench/embedder_reference.py "$BENCH" [MODEL_DIR]

The messages come from `$BENCH --print_messages`, so both sides embed the same texts. The venv is
the one of tests/embedding/reference_vectors.py (sentence-transformers and torch from PyPI).
Prints one line per case: messages/s (median and best of ROUNDS rounds of MIN_SECONDS) and
tokens/s. Nothing is asserted.
"""
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402

MIN_SECONDS = float(os.environ.get("MIN_SECONDS", "2"))  # per round, like --benchmark_min_time
ROUNDS = int(os.environ.get("ROUNDS", "5"))  # the machine is shared: print the median and the best


def measure(model, messages, counts, batch):
    """Messages/s and tokens/s of encode() over `messages`, cycling for at least MIN_SECONDS."""
    done = tokens = 0
    start = time.perf_counter()
    while time.perf_counter() - start < MIN_SECONDS:
        picked = [(done + i) % len(messages) for i in range(batch)]
        model.encode([messages[i] for i in picked], batch_size=batch, convert_to_numpy=True)
        tokens += sum(counts[i] for i in picked)
        done += batch
    elapsed = time.perf_counter() - start
    return done / elapsed, tokens / elapsed


def main():
    bench = sys.argv[1]
    model_dir = Path(
        sys.argv[2]
        if len(sys.argv) > 2
        else Path(os.environ.get("AIMI_MODEL_DIR", "/var/cache/aimi/models")) / "all-MiniLM-L6-v2"
    )
    lines = subprocess.run([bench, "--print_messages"], check=True, capture_output=True, text=True).stdout
    sets = {"en": [], "ru": []}
    for line in lines.splitlines():
        lang, text = line.split("\t", 1)
        sets[lang].append(text)
    torch.set_num_threads(int(os.environ.get("TORCH_THREADS", "2")))
    model = SentenceTransformer(str(model_dir), device="cpu")
    model.encode(sets["en"][:64], batch_size=32)  # warm-up
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    for lang, messages in sets.items():
        counts = [len(ids) for ids in model.tokenizer(messages, truncation=True, max_length=model.max_seq_length)["input_ids"]]
        for batch in (32, 1):
            rounds = sorted(measure(model, messages, counts, batch) for _ in range(ROUNDS))
            (median, median_tokens), (best, _) = rounds[len(rounds) // 2], rounds[-1]
            print(
                f"sentence-transformers lang:{lang} batch:{batch:<2} {median:8.1f} messages/s (median of {ROUNDS}), "
                f"{best:8.1f} best, {median_tokens:8.0f} tokens/s"
            )


if __name__ == "__main__":
    main()
