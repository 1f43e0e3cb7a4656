"""``forecast | staff`` knows a chat queue: it refuses to pool it as voice, as ``plan`` does.

One rule for Python and the command line (``plan._pipeline.pooled_channel_conflict``):
a pooled requirement staffs every queue as voice, so a chat or deferred queue is refused
with the fix; a voice-only selection (``--queue``) is staffed as before.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import staffplan
from staffplan.cli import main


def _voice_and_chat(path: Path) -> pd.DataFrame:
    rng = np.random.default_rng(8)
    ds = pd.date_range("2024-03-04", periods=4 * 7 * 48, freq="30min")
    hour = np.asarray(ds.hour)
    lam = np.where((hour >= 8) & (hour < 18), 30.0, 0.0)
    voice = pd.DataFrame(
        {"queue": "voice", "channel": "voice", "ds": ds, "volume": rng.poisson(lam), "aht_s": 240.0}
    )
    chat = pd.DataFrame(
        {"queue": "chat", "channel": "chat", "concurrency": 2, "ds": ds,
         "volume": rng.poisson(lam / 2), "aht_s": 480.0}
    )  # fmt: skip
    hist = pd.concat([voice, chat], ignore_index=True)
    hist.to_csv(path, index=False)
    return hist


def test_forecast_carries_channels_and_staff_refuses_a_chat_queue_like_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "h.csv"
    hist = _voice_and_chat(src)
    fc = tmp_path / "fc.csv"
    assert main(["forecast", str(src), "--out", str(fc), "--horizon", "1D", "--quiet",
                 "--method", "profile"]) == 0  # fmt: skip
    out = pd.read_csv(fc)
    assert dict(out.groupby("queue")["channel"].first()) == {"chat": "chat", "voice": "voice"}
    assert out.loc[out["queue"] == "chat", "concurrency"].eq(2).all()
    capsys.readouterr()
    assert main(["staff", str(fc), "--out", str(tmp_path / "req.csv")]) == 2
    err = capsys.readouterr().err
    assert "queue 'chat' is a 'chat' queue" in err and "--skills GROUPS.csv" in err
    assert not (tmp_path / "req.csv").exists()
    # The same rule in Python: a pooled plan refuses the same queue.
    with pytest.raises(ValueError, match=r"queue 'chat' is a 'chat' queue"):
        staffplan.plan(hist, horizon="1D", forecast_method="profile", time_limit_s=2)
    # Only the voice queue: staffed as before, and equal to staffing a voice-only forecast.
    assert main(["staff", str(fc), "--queue", "voice", "--out", str(tmp_path / "v.csv")]) == 0
    voice_only = out[out["queue"] == "voice"].drop(columns=["channel"])
    voice_only.to_csv(tmp_path / "fv.csv", index=False)
    assert main(["staff", str(tmp_path / "fv.csv"), "--out", str(tmp_path / "v2.csv")]) == 0
    pd.testing.assert_series_equal(
        pd.read_csv(tmp_path / "v.csv")["scheduled"], pd.read_csv(tmp_path / "v2.csv")["scheduled"]
    )


def test_staff_refuses_a_concurrency_above_one_without_a_channel_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ds = pd.date_range("2026-03-02 08:00", periods=4, freq="30min")
    frame = pd.DataFrame({"ds": ds, "volume": 40.0, "aht_s": 300.0, "concurrency": 3})
    frame.to_csv(tmp_path / "in.csv", index=False)
    assert main(["staff", str(tmp_path / "in.csv")]) == 2
    assert "queue 'all' is at concurrency 3" in capsys.readouterr().err


def test_forecast_refuses_a_queue_with_two_channels_before_fitting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "h.csv"
    hist = _voice_and_chat(src)
    hist.loc[hist.index[:10], "channel"] = "chat"  # ten voice rows say chat
    hist.to_csv(src, index=False)
    from staffplan import forecast

    def no_fit(*args: object, **kwargs: object) -> None:
        raise AssertionError("the forecast ran before the channels were checked")

    monkeypatch.setattr(forecast.VolumeForecaster, "fit", no_fit)
    assert main(["forecast", str(src), "--out", str(tmp_path / "fc.csv")]) == 2
    assert "gives queue 'voice' more than one channel" in capsys.readouterr().err


def test_channel_names_are_read_the_same_way_by_staff_and_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A hand-made file spells the channel " Voice": it is voice for every command and for
    # plan(), not a queue of an unknown channel.
    ds = pd.date_range("2026-03-02 08:00", periods=4, freq="30min")
    frame = pd.DataFrame({"ds": ds, "volume": 40.0, "aht_s": 300.0, "channel": " Voice"})
    frame.to_csv(tmp_path / "in.csv", index=False)
    assert main(["staff", str(tmp_path / "in.csv"), "--out", str(tmp_path / "r.csv")]) == 0
    assert pd.read_csv(tmp_path / "r.csv")["scheduled"].gt(0).all()
    from staffplan.plan._pipeline import pooled_channel_conflict

    assert pooled_channel_conflict(frame.assign(queue="all")) is None
    assert pooled_channel_conflict(frame.assign(queue="all", channel="Chat")) == (
        "all",
        "a 'chat' queue",
    )
