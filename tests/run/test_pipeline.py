"""The pipeline with its steps substituted: ordering, resume after a crash, faults, exit codes."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from agent.config import load_settings
from agent.errors import EnvironmentProblem, UsageError
from agent.host import LiveHost, ReplayHost
from agent.run import Pipeline, RunOptions, RunStore
from agent.run.state import RunState
from agent.spool import Spool
from agent.tui.log import LogUI
from agent.upload import ServerClient, sync_all
from tests.run.run_fake_server import Script, scripted_server
from tests.run.run_stubs import Crash, StubWorld


def make(
    data_dir: Path,
    world: StubWorld,
    *,
    unattended: bool = True,
    ui: Any = None,
    client: Any = None,
    **cli: Any,
) -> Pipeline:
    cli.setdefault("asset_code", "pc-0042")
    cli.setdefault("disks", world.disks)
    eff = load_settings(cli, data_dir=data_dir, env={})
    return Pipeline(
        RunOptions(eff.settings, data_dir, ReplayHost.build(files={}), unattended=unattended),
        ui or LogUI(io.StringIO()),
        steps=world.steps(),
        client_factory=lambda s: client,
        sleep=lambda s: None,
    )


def test_unattended_run_without_server_spools_then_sync_delivers_once(data_dir: Path) -> None:
    world = StubWorld()
    summary = make(data_dir, world).run()
    assert summary.asset_code == "PC-0042"  # upper-cased
    assert summary.exit_code == 6 and summary.upload == "pending"
    assert [d.result for d in summary.disks] == ["erased"]
    spool = Spool(data_dir)
    (entry,) = spool.pending()
    report = json.loads(entry.path.read_bytes())
    assert report["report_id"] == summary.report_id and report["grade"]["grade"] == "A"
    assert "interactive checks skipped: unattended run" in report["notes"]
    assert [c["status"] for c in report["checks"] if c["id"] == "keyboard"] == ["skipped"]
    state = RunStore(data_dir).load_all(include_finished=True)[0]
    assert state.finished and state.exit_code == 6
    assert {k: v.status for k, v in state.steps.items()}["erase"] == "done"
    script = Script(["store"])
    with scripted_server(script) as url:
        assert sync_all(spool, ServerClient(url, "t"), sleep=lambda s: None).count("sent") == 1
        assert sync_all(spool, ServerClient(url, "t"), sleep=lambda s: None).deliveries == []
    assert len(script.received) == 1 and spool.state_of(summary.report_id) == "sent"


def test_delivered_run_exits_zero(data_dir: Path) -> None:
    script = Script(["store"])
    with scripted_server(script) as url:
        summary = make(data_dir, StubWorld(), client=ServerClient(url, "t"), server=url).run()
    assert summary.exit_code == 0 and summary.upload == "sent"
    assert Spool(data_dir).state_of(summary.report_id) == "sent"


def test_crash_during_erasure_resumes_and_certificate_says_restarted(data_dir: Path) -> None:
    world = StubWorld(crash_during_erase=True)
    with pytest.raises(Crash):
        make(data_dir, world).run()
    (state,) = RunStore(data_dir).load_all()
    assert not state.finished and state.erasure["/dev/stubdisk0"].status == "running"
    assert state.done("inventory") and state.done("checks") and not state.done("erase")

    calls: list[str] = []
    world.crash_during_erase = False
    original = world.inventory

    def counting_inventory(*args: Any) -> Any:
        calls.append("inventory")
        return original(*args)

    world.inventory = counting_inventory  # type: ignore[method-assign]
    summary = make(data_dir, world).run()
    assert calls == []  # finished steps are not redone
    assert summary.resumed and summary.report_id == state.report_id
    assert world.executed[-1] == (["/dev/stubdisk0"], {"/dev/stubdisk0"})
    assert [(d.result, d.restarted) for d in summary.disks] == [("erased", True)]
    report = json.loads(Spool(data_dir).pending()[0].path.read_bytes())
    assert report["certificates"][0]["certificate"]["restarted"] is True
    assert RunStore(data_dir).load_all(include_finished=True)[0].erasure["/dev/stubdisk0"].attempts == 2
    log = (data_dir / "runs" / summary.report_id / "run.log").read_text()
    assert "resumed after an interruption" in log and "exit code 6" in log


def test_finished_disk_is_never_erased_again(data_dir: Path) -> None:
    world = StubWorld(disks=["/dev/stubA", "/dev/stubB"])
    real_execute = world.execute

    def crash_after_first(plan: Any, request: Any) -> Any:
        first = dataclasses.replace(plan, entries=plan.entries[:1])
        (cert,) = real_execute(first, request)
        request.on_certificate(cert)  # the engine reports the finished disk…
        raise Crash()  # …and the power goes during the second

    world.execute = crash_after_first  # type: ignore[method-assign]
    with pytest.raises(Crash):
        make(data_dir, world).run()
    world.execute = real_execute  # type: ignore[method-assign]
    summary = make(data_dir, world).run()
    assert world.executed[-1] == (["/dev/stubB"], {"/dev/stubB"})
    assert sorted((d.device, d.restarted) for d in summary.disks) == [
        ("/dev/stubA", False),
        ("/dev/stubB", True),
    ]


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root (CI runs as root)")
def test_full_data_partition_stops_before_erasing(tmp_path: Path) -> None:
    mnt = tmp_path / "stick"
    mnt.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], check=True)
    try:
        world = StubWorld()
        with pytest.raises(EnvironmentProblem, match="pleine"):
            make(mnt, world).run()
        assert world.executed == []
    finally:
        subprocess.run(["umount", str(mnt)], check=False)


def test_data_partition_filling_up_before_erasure_stops_it(data_dir: Path) -> None:
    world = StubWorld()
    pipeline = make(data_dir, world)
    calls = {"n": 0}
    import agent.run.pipeline as module

    real = module.check_free_space

    def fills_up(path: Path, mb: int, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] >= 2:
            raise EnvironmentProblem("La partition de données est pleine")
        real(path, mb, **kwargs)

    module.check_free_space = fills_up  # type: ignore[assignment]
    try:
        with pytest.raises(EnvironmentProblem):
            pipeline.run()
    finally:
        module.check_free_space = real  # type: ignore[assignment]
    assert world.executed == []


class FakeClient:
    def __init__(self, serial: str) -> None:
        self.serial = serial

    def device(self, asset: str) -> dict[str, Any]:
        return {"asset_code": asset, "machine": {"system": {"serial": self.serial}}}

    def post_report(self, payload: bytes) -> Any:
        from agent.upload import Answer

        return Answer(201, "{}")


def test_wrong_label_is_noted_in_unattended_runs(data_dir: Path) -> None:
    out = io.StringIO()
    summary = make(data_dir, StubWorld(), client=FakeClient("OTHER-SERIAL"), ui=LogUI(out)).run()
    assert "OTHER-SERIAL" in out.getvalue()
    assert any("OTHER-SERIAL" in n for n in summary.notes)


class ScriptedUI(LogUI):
    interactive = True

    def __init__(self, answers: list[str]) -> None:
        super().__init__(io.StringIO())
        self.answers = answers
        self.questions: list[str] = []

    def _next(self, question: str) -> str:
        self.questions.append(question)
        return self.answers.pop(0)

    def ask_asset_code(self, error: str | None = None) -> str:
        return self._next(error or "asset")

    def confirm(self, question: str) -> bool:
        return self._next(question) == "y"

    def ask_text(self, prompt: str) -> str:
        return self._next(prompt)

    def interactive_checks(self) -> Any:
        return self


def test_guided_wrong_label_refused_stops(data_dir: Path) -> None:
    ui = ScriptedUI(["PC-0042", "n"])
    with pytest.raises(UsageError, match="étiquette"):
        make(data_dir, StubWorld(), unattended=False, ui=ui, client=FakeClient("X"), asset_code=None).run()
    assert "SN-STUB-1" in ui.questions[1]
    # The next run asks for the code again instead of resuming under the wrong label.
    ui = ScriptedUI(["PC-0043", "EFFACER"])
    summary = make(data_dir, StubWorld(), unattended=False, ui=ui, asset_code=None).run()
    assert summary.asset_code == "PC-0043" and not summary.resumed


def test_guided_asks_again_for_a_bad_code_and_needs_typed_confirmation(data_dir: Path) -> None:
    ui = ScriptedUI(["a", "pc 42", "pc-0042", "EFFACER"])
    summary = make(data_dir, StubWorld(), unattended=False, ui=ui, asset_code=None).run()
    assert summary.asset_code == "PC-0042"
    assert "n'est pas un code" in ui.questions[1]
    assert [d.result for d in summary.disks] == ["erased"]


def test_guided_declined_erasure_is_a_refusal_and_nothing_is_erased(data_dir: Path) -> None:
    world = StubWorld()
    ui = ScriptedUI(["PC-0042", "non"])
    summary = make(data_dir, world, unattended=False, ui=ui, asset_code=None).run()
    assert world.executed == [] and summary.exit_code == 4 and summary.refused
    assert Spool(data_dir).pending()  # the report (without certificates) is still kept


def test_unattended_without_named_disks_needs_an_unattended_policy(data_dir: Path) -> None:
    from agent.erase.policy import load_policy
    from agent.erase.safety import require_unattended

    world = StubWorld()
    pipeline = make(data_dir, world, disks=[])
    pipeline.steps = pipeline.steps.replace(erase_policy=load_policy, require_unattended=require_unattended)
    summary = pipeline.run()
    assert summary.exit_code == 4 and "unattended" in (summary.refused or "") and world.executed == []


def test_unattended_needs_a_valid_asset_code(data_dir: Path) -> None:
    with pytest.raises(UsageError):
        make(data_dir, StubWorld(), asset_code=None).run()
    with pytest.raises(UsageError, match="format"):
        make(data_dir, StubWorld(), asset_code="no spaces allowed").run()


def test_missing_pieces_are_recorded_not_fatal(data_dir: Path) -> None:
    from agent.run.steps import RunSteps, StepUnavailable

    def unavailable(*args: Any, **kwargs: Any) -> Any:
        raise StepUnavailable("agent.checks.runner not available yet")

    world = StubWorld()
    pipeline = make(data_dir, world)
    pipeline.steps = pipeline.steps.replace(checks=unavailable)
    summary = pipeline.run()
    assert summary.unavailable == ["checks"] and [d.result for d in summary.disks] == ["erased"]
    assert isinstance(pipeline.steps, RunSteps)


def test_resume_matches_machine_by_serial_and_ignores_finished_runs(data_dir: Path) -> None:
    store = RunStore(data_dir)
    done = RunState(asset_code="PC-1", machine_serial="S1", finished=True)
    store.save(done)
    open_run = RunState(asset_code="PC-2", machine_serial="S1")
    store.save(open_run)
    other = RunState(asset_code="PC-3", machine_serial="S9")
    store.save(other)
    (data_dir / "runs" / "garbage").mkdir()
    (data_dir / "runs" / "garbage" / "state.json").write_text("{torn")
    assert store.find_unfinished(serial="S1").report_id == open_run.report_id  # type: ignore[union-attr]
    assert store.find_unfinished(asset_code="PC-3", serial="S9").report_id == other.report_id  # type: ignore[union-attr]
    assert store.find_unfinished(asset_code="PC-3", serial="S5") is None  # same code, another machine
    assert store.find_unfinished(asset_code="PC-1") is None


def test_live_host_identity_does_not_crash_without_dmi(data_dir: Path) -> None:
    pipeline = make(data_dir, StubWorld())
    pipeline.options.host = LiveHost()
    assert isinstance(pipeline._identity(), tuple)


class _SettleRecorder(LogUI):
    """The run's screen, noting each line and when udev was waited for."""

    def __init__(self, events: list[str]) -> None:
        super().__init__(io.StringIO())
        self.events = events

    def _line(self, text: str) -> None:
        self.events.append("line: " + text)
        super()._line(text)


def test_live_image_waits_for_udev_after_the_first_screen_and_once(data_dir: Path) -> None:
    events: list[str] = []
    host = ReplayHost.build(files={})
    real_run = host.run

    def run(argv: Any, *, timeout: float = 30.0) -> Any:
        events.append("run: " + " ".join(argv))
        return real_run(argv, timeout=timeout)

    host.run = run  # type: ignore[method-assign]
    world = StubWorld()
    pipeline = make(data_dir, world, ui=_SettleRecorder(events))
    pipeline.options = RunOptions(pipeline.settings, data_dir, host, unattended=True, settle_devices_s=20.0)
    pipeline.run()
    settles = [i for i, e in enumerate(events) if e.startswith("run: udevadm settle")]
    assert [events[i] for i in settles] == ["run: udevadm settle --timeout=20"]
    first_line = next(i for i, e in enumerate(events) if e.startswith("line: "))
    assert first_line < settles[0]  # the screen is up before the wait


def test_without_the_launcher_udev_is_not_waited_for(data_dir: Path) -> None:
    events: list[str] = []
    host = ReplayHost.build(files={})
    host.run = lambda argv, *, timeout=30.0: events.append(" ".join(argv))  # type: ignore[method-assign,assignment,return-value]
    pipeline = make(data_dir, StubWorld())
    pipeline.options = RunOptions(pipeline.settings, data_dir, host, unattended=True)
    pipeline.run()
    assert not [e for e in events if e.startswith("udevadm")]
