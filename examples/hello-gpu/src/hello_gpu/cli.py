"""The `hello-gpu` console script."""

from __future__ import annotations

import argparse
import os
import platform
import sys


def gpu_summary() -> str:
    """Names the GPUs NVML reports, or says why there are none."""
    try:
        import pynvml  # from the cu128 extra (nvidia-ml-py)
    except ImportError:
        return "no NVML (CPU image)"
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError as err:  # no driver in this container
        return f"no GPU visible ({err})"
    count = pynvml.nvmlDeviceGetCount()
    names = [pynvml.nvmlDeviceGetName(pynvml.nvmlDeviceGetHandleByIndex(i)) for i in range(count)]
    return ", ".join(str(n) for n in names) or "no GPU visible"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hello-gpu", description=__doc__)
    parser.add_argument("--gpus-info", action="store_true", help="print the GPUs NVML sees")
    parser.add_argument("--exit", type=int, default=0, help="exit with this code")
    args = parser.parse_args(argv)
    print(f"hello-gpu on Python {platform.python_version()} ({platform.machine()})")
    print(f"HF_HOME={os.environ.get('HF_HOME', '<unset>')}")
    if args.gpus_info:
        print(gpu_summary())
    return args.exit


if __name__ == "__main__":
    sys.exit(main())
