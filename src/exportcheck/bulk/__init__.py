"""Look-back checks over partitioned datasets: a folder or glob of CSV / Parquet files.

A dataset is judged partition by partition (one file each) through the same fast path as a
single ``check --format jsonl`` (:mod:`exportcheck.bulk.judge`), in this process
(``--engine local``) or on a Dask cluster (``--engine dask``, :mod:`exportcheck.bulk.dask`);
both give the same bytes. The lines of the dataset are those of its files in file order, and
a line without a ``line_id`` gets its global data row number across the dataset (1-based, in
file order). ``dask``, ``distributed`` and ``pyarrow`` are imported only when needed (the
``dask`` install extra).
"""

from exportcheck.bulk.dataset import Partition, find_partitions, is_dataset

__all__ = ["Partition", "find_partitions", "is_dataset"]
