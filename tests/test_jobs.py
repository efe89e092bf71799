"""The one owner of background work: jobs start in named threads, quit cancels them all, one wait ends them."""

from __future__ import annotations

import threading
import time

from companion.jobs import JobsManager


class Waiting:
    """Works until cancelled (as a call does: cancel stops it, then it finishes what it has)."""

    def __init__(self, name: str, finish_s: float = 0.05) -> None:
        self.name = name
        self.finish_s = finish_s
        self.cancelled = threading.Event()
        self.started = threading.Event()
        self.done = False
        self.thread_name = ""

    def run(self) -> None:
        self.thread_name = threading.current_thread().name
        self.started.set()
        self.cancelled.wait(30)
        time.sleep(self.finish_s)  # the last words are still transcribed after a stop
        self.done = True

    def cancel(self) -> None:
        self.cancelled.set()


class Failing:
    name = "failing"

    def run(self) -> None:
        raise RuntimeError("a bug in a job")

    def cancel(self) -> None:
        pass


def test_shutdown_cancels_every_job_and_waits_once_for_all() -> None:
    jobs = JobsManager()
    work = [Waiting("call-pipeline", 0.2), Waiting("import-recording", 0.1), Waiting("input-probe")]
    for job in work:
        assert jobs.start(job)
    for job in work:
        assert job.started.wait(5)
    assert {j.name for j in jobs.running()} == {"call-pipeline", "import-recording", "input-probe"}
    assert [j.thread_name for j in work] == [j.name for j in work], "each thread is named after its job"
    began = time.monotonic()
    assert jobs.shutdown(timeout=5)
    took = time.monotonic() - began
    assert all(j.cancelled.is_set() and j.done for j in work)
    assert took < 0.5, "the jobs end side by side, against one deadline"
    assert jobs.running() == []
    late = Waiting("late")
    assert not jobs.start(late) and not late.started.is_set(), "nothing starts once the app is closing"


def test_a_job_that_outlives_the_deadline_is_reported_not_waited_for_forever() -> None:
    jobs = JobsManager()
    stubborn = Waiting("model-warm-up", finish_s=1.0)
    jobs.start(stubborn)
    assert stubborn.started.wait(5)
    assert jobs.shutdown(timeout=0.1) is False
    assert jobs.wait(stubborn, 5) and stubborn.done


def test_a_failing_job_is_logged_and_forgotten(caplog) -> None:  # type: ignore[no-untyped-def]
    jobs = JobsManager()
    job = Failing()
    jobs.start(job)
    assert jobs.wait(job, 5)
    assert not jobs.is_running(job)
    assert "background job failing failed" in caplog.text


def test_background_threads_start_only_through_the_jobs_manager() -> None:
    """Quitting waits once for everything: no module starts a thread of its own, except the two
    that live and die inside a call job (the recogniser's workers and the recorder's writer are
    closed in the call's own ``finally``, before the job ends)."""
    import re
    from pathlib import Path

    import companion

    inside_a_call = {"asr/transcriber.py", "store/recorder.py", "jobs.py"}
    root = Path(companion.__file__).parent
    starters = {
        path.relative_to(root).as_posix()
        for path in root.rglob("*.py")
        if re.search(r"threading\.Thread\(|ThreadPoolExecutor\(|QThread\b", path.read_text(encoding="utf-8"))
    }
    assert starters - inside_a_call - {"team/sync.py"} == set()
    # The team upload's one-worker pool is scoped to a sync, which is itself a job (ui/team_sync.py).
    assert "ThreadPoolExecutor(max_workers=1" in (root / "team/sync.py").read_text(encoding="utf-8")
