"""Twenty practitioners at once for a minute, on loopback: no errors, latency reported."""

import statistics
import threading
import time

from browser import running_app

USERS = 20
SECONDS = 60
QUESTIONS = [
    "who is responsible for safeguarding children?",
    "what age is a child?",
    "what should I do if I have concerns about a child's welfare?",
    "what's the capital of France?",
]


def test_twenty_simultaneous_users_for_a_minute_get_answers_without_errors(settings, built_index, tmp_path):
    from gradio_client import Client

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    with running_app(tmp_path / "app.log", index_dir=str(settings.index_dir)) as url:
        stop_at = time.monotonic() + SECONDS

        def user(number: int) -> None:
            client = Client(url, verbose=False)
            asked = 0
            while time.monotonic() < stop_at:
                question = QUESTIONS[(number + asked) % len(QUESTIONS)]
                started = time.monotonic()
                try:
                    history, _, _ = client.predict(question, [], "All areas", api_name="/ask")
                    assert "call 999" in str(history[-1]["content"])
                except Exception as error:  # any failure a user would see counts
                    with lock:
                        errors.append(f"{type(error).__name__}: {error}"[:200])
                with lock:
                    latencies.append(time.monotonic() - started)
                asked += 1

        threads = [threading.Thread(target=user, args=(n,)) for n in range(USERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=SECONDS + 120)
    ordered = sorted(latencies)
    p50, p95 = statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]
    print(f"\nload: {USERS} users, {SECONDS} s, {len(ordered)} answers, p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, errors {len(errors)}")
    assert not errors, errors[:3]
    assert len(ordered) >= USERS * 5
