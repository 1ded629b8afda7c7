"""Measure the analyzer's speed and memory, the HTTP cost of /v1/analyze against /healthz, and
Huashu's own overhead on LLM drafts against a loopback server that answers instantly.

    uv run python scripts/benchmark.py            # everything, human-readable
    uv run python scripts/benchmark.py --json     # the same figures as JSON
    uv run python scripts/benchmark.py --no-http  # in-process figures only

Load goes only to a server this script starts on 127.0.0.1, for a bounded time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STARTUP_PROBE = """
import json, time, resource
started = time.perf_counter()
from app.analysis.service import Analyzer
analyzer = Analyzer.from_data()
analyzer.analyze("在吗？")
elapsed = time.perf_counter() - started
rss_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmRSS:"))
print(json.dumps({"startup_s": elapsed, "rss_mb": rss_kb / 1024}))
"""


def eval_messages() -> list[str]:
    """Every message of the evaluation set (both splits: speed does not tune labels)."""
    texts = []
    for path in sorted((ROOT / "eval" / "data").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    return texts


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure_startup(runs: int) -> dict[str, float]:
    """Start-up time and RSS of a fresh process that loads every lexicon and the tokenizer."""
    results = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", STARTUP_PROBE],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {
        "startup_s_median": statistics.median(r["startup_s"] for r in results),
        "rss_mb_after_startup": statistics.median(r["rss_mb"] for r in results),
    }


def measure_in_process(rounds: int) -> dict[str, float]:
    """Per-message latency of `analyze` after warm-up, and throughput on one core."""
    from app.analysis.service import default_analyzer

    analyzer = default_analyzer()
    texts = eval_messages()
    for text in texts:
        analyzer.analyze(text)
    timings: list[float] = []
    typical: list[float] = []
    started = time.perf_counter()
    for round_number in range(rounds):
        for text in texts:
            t0 = time.perf_counter_ns()
            analyzer.analyze(text)
            elapsed_us = (time.perf_counter_ns() - t0) / 1000
            timings.append(elapsed_us)
            if 20 <= len(text) <= 40:
                typical.append(elapsed_us)
        sys.stderr.write(f"\rin-process round {round_number + 1}/{rounds}")
    sys.stderr.write("\n")
    total = time.perf_counter() - started
    return {
        "messages": len(texts),
        "median_us": statistics.median(timings),
        "p99_us": percentile(timings, 0.99),
        "typical_30_char_median_us": statistics.median(typical) if typical else float("nan"),
        "messages_per_second": len(timings) / total,
    }


def measure_drafting(rounds: int) -> dict[str, float]:
    """Template drafts including analysis, and the guard on a 100-character reply, in-process."""
    from app.drafting.schemas import DraftRequest
    from app.services import build_services

    services = build_services()
    texts = eval_messages()
    for text in texts[:50]:
        services.template_drafts(DraftRequest(text=text), [])
    draft_ms: list[float] = []
    for round_number in range(rounds):
        for text in texts:
            t0 = time.perf_counter_ns()
            services.template_drafts(DraftRequest(text=text), [])
            draft_ms.append((time.perf_counter_ns() - t0) / 1e6)
        sys.stderr.write(f"\rdrafting round {round_number + 1}/{rounds}")
    sys.stderr.write("\n")
    reply = (
        "亲，非常抱歉让您收到有色差的衣服，给您添麻烦了。根据平台规则我们支持七天无理由退换，"
        "您可以选择换一件其他颜色，或者办理退货退款，运费由我们承担。您看这样处理可以吗？"
    )
    reply = (reply * 2)[:100]
    check_us: list[float] = []
    for _ in range(2000):
        t0 = time.perf_counter_ns()
        services.check(reply)
        check_us.append((time.perf_counter_ns() - t0) / 1000)
    return {
        "draft_median_ms": statistics.median(draft_ms),
        "draft_p99_ms": percentile(draft_ms, 0.99),
        "check_100_chars_median_us": statistics.median(check_us),
        "check_100_chars_p99_us": percentile(check_us, 0.99),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _worker(port: int, request: bytes, deadline: float, counts: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < deadline:
            writer.write(request)
            await writer.drain()
            length = 0
            while True:
                line = await reader.readline()
                if not line:
                    return
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
                if line in (b"\r\n", b"\n"):
                    break
            await reader.readexactly(length)
            counts[0] += 1
    finally:
        writer.close()


async def _load(port: int, request: bytes, seconds: float, connections: int) -> float:
    counts = [0]
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()
    await asyncio.gather(*(_worker(port, request, deadline, counts) for _ in range(connections)))
    return counts[0] / (time.perf_counter() - started)


NOOP_PATH = "/benchmark/noop"


def app_with_noop_route() -> Any:
    """The service's app plus a POST route that reads and validates an analyze request and
    does nothing else: what a JSON POST costs on this stack (same middleware, same worker)."""
    from fastapi import Response

    from app.analysis.schemas import AnalyzeRequest
    from app.deps import ServicesDep
    from app.main import create_app

    app = create_app()

    @app.post(NOOP_PATH, include_in_schema=False)
    async def noop(body: AnalyzeRequest, services: ServicesDep) -> Response:
        return Response(b'{"ok":true}', media_type="application/json")

    return app


def measure_http(seconds: float, connections: int) -> dict[str, float]:
    """Requests per second of POST /v1/analyze and GET /healthz on one uvicorn worker, and of a
    POST that only validates the same body (the ceiling of the ratio on this stack)."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "scripts.benchmark:app_with_noop_route",
         "--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--log-level", "warning",
         "--no-access-log"],
        cwd=ROOT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                    if b"200" in sock.recv(100):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start within 30 s")
            time.sleep(0.2)
        body = json.dumps({"text": "衣服色差太大了，跟图片完全两个颜色！要退货！"}).encode()

        def post(path: str) -> bytes:
            return (
                f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode() + body

        analyze, noop = post("/v1/analyze"), post(NOOP_PATH)
        health = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        asyncio.run(_load(port, analyze, 1.0, connections))  # warm-up
        rps_health = asyncio.run(_load(port, health, seconds, connections))
        rps_noop = asyncio.run(_load(port, noop, seconds, connections))
        rps_analyze = asyncio.run(_load(port, analyze, seconds, connections))
    finally:
        server.terminate()
        server.wait(timeout=10)
    return {
        "healthz_rps": rps_health,
        "noop_post_rps": rps_noop,
        "analyze_rps": rps_analyze,
        "analyze_to_healthz_ratio": rps_analyze / rps_health,
        "noop_post_to_healthz_ratio": rps_noop / rps_health,
    }


INSTANT_DRAFTS = json.dumps(
    {
        "drafts": [
            {"style": style, "text": "亲，抱歉色差给您添麻烦了，您可以申请退货，运费由我们承担。"}
            for style in ("standard", "soothing", "concise")
        ]
    },
    ensure_ascii=False,
)


async def _instant_llm_connection(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """Answer chat completions at once: JSON, or the same as a few SSE chunks."""
    usage = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
    while True:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            return  # the client closed its connection
        length = next(
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        body = json.loads(await reader.readexactly(length))
        if body.get("stream"):
            pieces = [INSTANT_DRAFTS[i : i + 40] for i in range(0, len(INSTANT_DRAFTS), 40)]
            chunks = [
                {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "m",
                 "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                for piece in pieces
            ]  # fmt: skip
            chunks.append(
                {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "m",
                 "choices": [], "usage": usage}
            )  # fmt: skip
            payload = "".join(f"data: {json.dumps(c, ensure_ascii=False)}\n\n" for c in chunks)
            data = (payload + "data: [DONE]\n\n").encode()
            content_type = b"text/event-stream"
        else:
            data = json.dumps(
                {"id": "x", "object": "chat.completion", "created": 0, "model": "m",
                 "choices": [{"index": 0, "finish_reason": "stop",
                              "message": {"role": "assistant", "content": INSTANT_DRAFTS}}],
                 "usage": usage},
                ensure_ascii=False,
            ).encode()  # fmt: skip
            content_type = b"application/json"
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: " + content_type
            + f"\r\nContent-Length: {len(data)}\r\n\r\n".encode() + data
        )  # fmt: skip
        await writer.drain()


def serve_instant_llm(port: int) -> None:
    """A loopback OpenAI-compatible server that answers instantly (run in its own process)."""

    async def run() -> None:
        server = await asyncio.start_server(_instant_llm_connection, "127.0.0.1", port)
        async with server:
            await server.serve_forever()

    asyncio.run(run())


def _wait_for_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {seconds:.0f} s")


def measure_llm(rounds: int) -> dict[str, float]:
    """Huashu's own time on an LLM draft against a server that answers instantly, in process
    and over HTTP, and the time to the first template draft on the stream."""
    import httpx
    from pydantic import SecretStr

    from app.drafting.schemas import DraftRequest
    from app.services import build_services
    from app.settings import Settings

    llm_port = free_port()
    llm = subprocess.Popen([sys.executable, __file__, "--serve-instant-llm", str(llm_port)])
    try:
        _wait_for_port(llm_port)
        settings = Settings(
            llm_base_url=f"http://127.0.0.1:{llm_port}/v1",
            llm_model="instant",
            llm_api_key=SecretStr("x"),
        )
        services = build_services(settings)
        messages = eval_messages()[:100]

        async def in_process() -> list[float]:
            timings = []
            for _ in range(rounds):
                for text in messages:
                    started = time.perf_counter()
                    result = await services.drafts(DraftRequest(text=text, mode="llm"), [])
                    timings.append(time.perf_counter() - started)
                    assert result.fallback_reason in (None, "guard_rejected"), (
                        result.fallback_reason
                    )
            await services.close()
            return timings

        overhead = asyncio.run(in_process())

        port = free_port()
        env = {**os.environ, "HUASHU_LLM_BASE_URL": settings.llm_base_url or "",
               "HUASHU_LLM_MODEL": "instant", "HUASHU_LLM_API_KEY": "x"}  # fmt: skip
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "warning", "--no-access-log"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        try:
            _wait_for_port(port)
            first_drafts: list[float] = []
            whole: list[float] = []
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
                for index, text in enumerate(messages * max(1, rounds // 2)):
                    started = time.perf_counter()
                    with client.stream("POST", "/v1/drafts/stream", json={"text": text}) as reply:
                        for line in reply.iter_lines():
                            if line == "event: drafts" and len(first_drafts) <= index:
                                first_drafts.append(time.perf_counter() - started)
                    whole.append(time.perf_counter() - started)
        finally:
            server.terminate()
            server.wait(timeout=10)
    finally:
        llm.terminate()
        llm.wait(timeout=10)
    return {
        "llm_draft_overhead_median_ms": statistics.median(overhead) * 1000,
        "llm_draft_overhead_p99_ms": percentile(overhead, 0.99) * 1000,
        "stream_first_template_draft_median_ms": statistics.median(first_drafts) * 1000,
        "stream_first_template_draft_p99_ms": percentile(first_drafts, 0.99) * 1000,
        "stream_whole_median_ms": statistics.median(whole) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--rounds", type=int, default=5, help="passes over the evaluation set")
    parser.add_argument("--startup-runs", type=int, default=3)
    parser.add_argument("--http-seconds", type=float, default=4.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--no-llm", action="store_true", help="skip the LLM overhead figures")
    parser.add_argument("--serve-instant-llm", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_instant_llm:
        serve_instant_llm(args.serve_instant_llm)
        return

    figures: dict[str, Any] = {"cpu_count": os.cpu_count()}
    figures.update(measure_startup(args.startup_runs))
    figures.update(measure_in_process(args.rounds))
    figures.update(measure_drafting(max(1, args.rounds // 2)))
    if not args.no_http:
        figures.update(measure_http(args.http_seconds, args.connections))
    if not args.no_llm:
        figures.update(measure_llm(max(1, args.rounds // 2)))
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print("Huashu analysis benchmark")
    print(
        f"  start-up (load lexicons + tokenizer): {figures['startup_s_median']:.2f} s (goal < 2 s)"
    )
    print(f"  RSS after start-up:                   {figures['rss_mb_after_startup']:.0f} MB")
    print(f"  analyze, {figures['messages']} eval messages × {args.rounds} rounds:")
    print(f"    median {figures['median_us']:.0f} µs, p99 {figures['p99_us']:.0f} µs")
    print(
        f"    typical 20–40 char message median {figures['typical_30_char_median_us']:.0f} µs (goal < 200 µs)"
    )
    print(f"    {figures['messages_per_second']:.0f} messages/s on one core")
    print("  drafting (template drafts, 3 variants, analysis included):")
    print(
        f"    median {figures['draft_median_ms']:.2f} ms, p99 {figures['draft_p99_ms']:.2f} ms (goal median < 5 ms)"
    )
    print("  guard, /v1/check work on a 100-character reply:")
    print(
        f"    median {figures['check_100_chars_median_us']:.0f} µs, p99 {figures['check_100_chars_p99_us']:.0f} µs (goal < 1 ms)"
    )
    if not args.no_http:
        print(f"  HTTP, one uvicorn worker, {args.connections} keep-alive connections:")
        print(f"    GET /healthz      {figures['healthz_rps']:.0f} req/s")
        print(f"    POST /v1/analyze  {figures['analyze_rps']:.0f} req/s")
        print(f"    ratio {figures['analyze_to_healthz_ratio']:.2f} (goal ≥ 0.6)")
        print(
            f"    a POST that only validates the same body: {figures['noop_post_rps']:.0f} req/s, "
            f"ratio {figures['noop_post_to_healthz_ratio']:.2f} (the most any JSON POST reaches)"
        )
    if not args.no_llm:
        print("  LLM drafts against a loopback server that answers instantly:")
        print(
            f"    Huashu's own time per LLM draft (analysis, templates, prompt, client, parse, guard): "
            f"median {figures['llm_draft_overhead_median_ms']:.2f} ms, "
            f"p99 {figures['llm_draft_overhead_p99_ms']:.2f} ms (goal median < 10 ms)"
        )
        print(
            f"    /v1/drafts/stream, first template draft: median "
            f"{figures['stream_first_template_draft_median_ms']:.1f} ms, p99 "
            f"{figures['stream_first_template_draft_p99_ms']:.1f} ms (goal < 50 ms); whole stream "
            f"median {figures['stream_whole_median_ms']:.1f} ms"
        )


if __name__ == "__main__":
    main()
