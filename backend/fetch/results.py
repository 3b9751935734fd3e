"""What a fetch gives back: a `FetchResult` for a 2xx page, else a `FetchError` that says what
went wrong and whether retrying later may succeed."""

from __future__ import annotations

from dataclasses import dataclass


class FetchError(Exception):
    """A fetch that did not produce a usable page.

    `kind` is one of "invalid_url", "blocked", "timeout", "too_large", "http_status",
    "network" or "too_many_redirects"; `status` is set for "http_status", and `retry_after`
    (seconds) when the server said when to come back.
    """

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.retry_after = retry_after

    @property
    def transient(self) -> bool:
        """Whether retrying later may succeed: timeouts, network errors, HTTP 429 and 5xx."""
        if self.kind in ("timeout", "network"):
            return True
        if self.kind == "http_status" and self.status is not None:
            return self.status == 429 or self.status >= 500
        return False


@dataclass(frozen=True)
class FetchResult:
    """A successful (2xx) response; `body` holds at most the fetcher's `max_bytes`."""

    url: str
    status: int
    content_type: str
    body: bytes
    redirects: tuple[str, ...]
