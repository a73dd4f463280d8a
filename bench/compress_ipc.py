"""Writes an Arrow IPC file as a compressed Feather file, as users write one (pyarrow.feather.write_feather,
which pandas' to_feather calls), keeping the source's 65,536-row batches. For the bench (bench/compressed.ts):
Arrow JS, which writes the workloads, cannot write compressed IPC.

Usage: python3 bench/compress_ipc.py SOURCE.arrow DEST.feather lz4|zstd
"""

import os
import sys

import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.ipc as ipc


def main():
    source, dest, codec = sys.argv[1:4]
    with pa.memory_map(source) as f:
        table = ipc.open_file(f).read_all()
    # Written under a temporary name and renamed, so an interrupted run leaves no partial file.
    tmp = dest + ".tmp"
    feather.write_feather(table, tmp, compression=codec, chunksize=65536)
    os.replace(tmp, dest)


if __name__ == "__main__":
    main()
