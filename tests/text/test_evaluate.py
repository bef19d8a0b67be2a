"""liant.text.evaluate: metrics, the pinned download (against a local index), the report."""

from __future__ import annotations

import hashlib
import json

import pytest

from liant.text import evaluate


def test_metrics_on_a_known_confusion():
    gold = ["positive", "positive", "negative", "neutral"]
    predicted = ["positive", "negative", "negative", "neutral"]
    accuracy, macro_f1 = evaluate.metrics(gold, predicted, binary=False)
    assert accuracy == 0.75
    # F1: positive 2/3, negative 2/3, neutral 1.
    assert macro_f1 == pytest.approx((2 / 3 + 2 / 3 + 1) / 3)


def test_a_neutral_answer_counts_wrong_on_two_class_data():
    accuracy, _ = evaluate.metrics(["positive", "negative"], ["neutral", "negative"], binary=True)
    assert accuracy == 0.5


def _serve(httpserver, body: bytes, filename: str) -> None:
    url = httpserver.url_for(f"/files/{filename}")
    index = {"files": [{"filename": filename, "url": url, "hashes": {}}]}
    httpserver.expect_request("/simple/demo/").respond_with_data(
        json.dumps(index), content_type="application/vnd.pypi.simple.v1+json"
    )
    httpserver.expect_request(f"/files/{filename}").respond_with_data(body)


def test_download_checks_the_pinned_digest_and_caches(httpserver, tmp_path, monkeypatch):
    body = b"archive bytes"
    monkeypatch.setattr(evaluate, "INDEX", httpserver.url_for("/simple"))
    monkeypatch.setitem(
        evaluate.ARCHIVES, "demo-1.0.tar.gz", ("demo", hashlib.sha256(body).hexdigest())
    )
    _serve(httpserver, body, "demo-1.0.tar.gz")
    path = evaluate.download("demo-1.0.tar.gz", tmp_path)
    assert path.read_bytes() == body
    httpserver.clear()  # a second call must not need the network
    assert evaluate.download("demo-1.0.tar.gz", tmp_path) == path


def test_download_refuses_an_archive_that_does_not_match(httpserver, tmp_path, monkeypatch):
    monkeypatch.setattr(evaluate, "INDEX", httpserver.url_for("/simple"))
    monkeypatch.setitem(evaluate.ARCHIVES, "demo-1.0.tar.gz", ("demo", "0" * 64))
    _serve(httpserver, b"tampered", "demo-1.0.tar.gz")
    with pytest.raises(RuntimeError, match="SHA-256"):
        evaluate.download("demo-1.0.tar.gz", tmp_path)
    assert not (tmp_path / "demo-1.0.tar.gz").exists()


def test_offline_report_compares_liant_with_the_baselines(capsys):
    assert evaluate.main(["--offline"]) == 0
    lines = capsys.readouterr().out.splitlines()
    systems = {line.split(" | ")[2] for line in lines[2:]}
    assert systems == {"liant.text", "vaderSentiment", "textblob", "textblob-fr"}
    assert len(lines) == 2 + 2 * 2 + 2 * 3
