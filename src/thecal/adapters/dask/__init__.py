"""A Dask distributed backend for studies: an existing scheduler at an address, or a
LocalCluster started here (one single-threaded worker process per core asked for)."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from thecal.core.errors import MissingExtra
from thecal.services.study.runner import Stats, Task


class DaskBackend:
    def __init__(self, address: str | None = None, workers: int = 2) -> None:
        try:
            from distributed import Client, LocalCluster
        except ModuleNotFoundError as missing:
            raise MissingExtra("a study on Dask (--dask)", "dask") from missing

        self._cluster = None
        if address is None:
            self._cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True,
                dashboard_address=None, silence_logs=40,
            )
            self.client = Client(self._cluster)
        else:
            self.client = Client(address)

    def map(
        self, fn: Callable[[Task], Stats], tasks: list[Task], done: Callable[[], None]
    ) -> list[Stats]:
        from distributed import as_completed

        futures = self.client.map(fn, tasks, pure=False)
        for _ in as_completed(futures):
            done()
        return list(self.client.gather(futures))

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def __enter__(self) -> DaskBackend:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
