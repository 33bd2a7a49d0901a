"""Audits on a Dask cluster, for archives one machine cannot check in time.

partitions.py cuts the inputs into pieces a worker reads alone (JSONL at lines, mbox at `From `
lines, folders by files; local paths or fsspec URLs); work.py is what a worker does with a
partition (judge it with a policy compiled once per process, commit its part file once);
cluster.py connects to the scheduler, submits the partitions and takes them back in order.
dask is imported only by cluster.py, inside its functions.
"""
