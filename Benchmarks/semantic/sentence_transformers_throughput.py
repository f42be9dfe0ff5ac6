#!/usr/bin/env python3
"""Side-by-side throughput: sentence-transformers (CPU torch, batched) vs `basketry embed`, same titles, same cores.

Usage:
  python3 -m venv /work/venv-st && /work/venv-st/bin/pip install sentence-transformers
  swift build -c release
  HF_HUB_OFFLINE=1 /work/venv-st/bin/python Benchmarks/semantic/sentence_transformers_throughput.py \
      MODEL_DIR TITLES.txt [--basketry .build/release/basketry] [--threads 1 2] [--batch-size 32]

Prints titles/s for each torch thread count, then for basketry (its own timing of the encode step, and the whole
process), and the cosine agreement of the two outputs.
"""
import argparse
import os
import resource
import subprocess
import tempfile
import time

import numpy as np
import torch
from sentence_transformers import SentenceTransformer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model_dir")
    parser.add_argument("titles")
    parser.add_argument("--basketry", default=".build/release/basketry")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--basketry-threads", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    with open(args.titles, encoding="utf-8") as f:
        titles = [line.rstrip("\n") for line in f if line.strip()]
    model = SentenceTransformer(args.model_dir, device="cpu")
    model.encode(titles[:64], batch_size=args.batch_size)  # warm-up
    reference = None
    for threads in args.threads:
        torch.set_num_threads(threads)
        start, cpu = time.perf_counter(), time.process_time()
        reference = model.encode(titles, batch_size=args.batch_size, convert_to_numpy=True)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(f"sentence-transformers torch {torch.__version__} threads={threads} batch={args.batch_size}: "
              f"{len(titles)} titles in {seconds:.2f} s = {len(titles) / seconds:.0f} titles/s wall, "
              f"{cpu:.2f} CPU s = {len(titles) / cpu:.0f} titles per CPU-second")
    for threads in args.basketry_threads:
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "vectors.f32")
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            result = subprocess.run(
                [args.basketry, "embed", "--input", args.titles, "--output", out, "--model-dir", args.model_dir,
                 "--threads", str(threads)],
                capture_output=True, text=True, check=True)
            seconds = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            print(f"basketry threads={threads}:", result.stderr.strip())
            print(f"basketry threads={threads} whole process (load + tokenize + encode + write): "
                  f"{len(titles) / seconds:.0f} titles/s wall, {cpu:.2f} CPU s = {len(titles) / cpu:.0f} titles per CPU-second")
            vectors = np.fromfile(out, dtype="<f4").reshape(len(titles), -1)
    cosines = (vectors * reference).sum(axis=1) / (
        np.linalg.norm(vectors, axis=1) * np.linalg.norm(reference, axis=1))
    print(f"cosine basketry vs sentence-transformers: min {cosines.min():.7f} mean {cosines.mean():.7f}")


if __name__ == "__main__":
    main()
