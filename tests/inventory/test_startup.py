"""What `atelier inventory --json` imports: its speed target (as quick as `lshw`, issue 2) rests on
keeping heavy modules out of its start-up, and a stray import anywhere would silently undo it."""

from __future__ import annotations

import json
import subprocess
import sys

#: Measured costs behind each name are in BENCHMARKS.md ("Inventory").
KEPT_OUT = (
    "pydantic",  # ~0.1 s to import, more to build models: reports are validated only where they enter
    "pyudev",  # ctypes + an `ldconfig -p` child: the udev database is read directly
    "concurrent.futures",  # logging, traceback, queue: agent._threads is enough
    "dataclasses",  # inspect, ast, dis, tokenize: agent._record
    "rich",
    "requests",
    "cryptography",
    "psutil",
    "shutil",  # bz2, lzma, zlib
    "logging",
    "platform",  # seven regexes compiled; uuid wanted it only to spot AIX (agent._uuid)
    "typing",  # ~8 % of the command's instructions with its first subscriptions (agent._typing)
    "datetime",  # runs the pure-Python implementation before the C one replaces it (agent._datetime)
    "subprocess",  # signal's enums, locale, selectors: ~6 % of the command (agent.host._spawn)
    "agent.report.certificate",  # an inventory has no certificate: their models load on first use
    "agent.report.checks",
)

PROBE = """
import json, sys
from agent.cli.main import main
sys.argv = ["atelier", "inventory", "--json", "--no-disks"]
out = sys.stdout
sys.stdout = open("/dev/null", "w")
code = main()
sys.stdout = out
import agent.i18n
print(json.dumps({"code": code, "modules": sorted(sys.modules), "catalog": agent.i18n._current is not None}))
"""


def test_inventory_json_keeps_heavy_modules_out() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True
    )
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["code"] == 0
    loaded = set(seen["modules"])
    assert [name for name in KEPT_OUT if name in loaded] == []
    assert not seen["catalog"]  # the French catalog is not read when no message is shown


def _passes_in_a_fresh_interpreter(code: str) -> None:
    """`code`'s assertions hold in a new Python process (nothing imported by the tests before)."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_uuid_without_platform_leaves_the_real_platform_importable() -> None:
    """agent._uuid's stand-in is gone once uuid is loaded: `import platform` is the real module."""
    code = (
        "import sys, agent._uuid as u; assert 'platform' not in sys.modules, 'stand-in left behind'; "
        "assert '_uuid' not in sys.modules; "
        "import platform, uuid, _uuid; assert platform.python_version() and uuid._LINUX is True; "
        "assert u.uuid4().version == 4 and uuid.uuid1().version == 1"
    )
    _passes_in_a_fresh_interpreter(code)


def test_report_types_are_typing_forms_once_validated() -> None:
    """agent._typing's stand-ins become typing's forms before pydantic reads the models: the
    schema still knows every Literal's values, and validation still refuses others."""
    code = (
        "import sys, agent.report as r; assert 'typing' not in sys.modules; "
        "schema = r.Disk.model_json_schema(); "
        "assert 'nvme' in schema['properties']['transport']['enum'], schema['properties']['transport']; "
        "import agent.report.disk as d, typing; assert typing.get_args(d.Transport)[0] == 'sata'; "
        "import pydantic; "
        "r.Disk.model_validate({'name': 'sda', 'path': '/dev/sda', 'transport': 'nvme'}); "
        "bad = None\n"
        "try:\n    r.Disk.model_validate({'name': 'sda', 'path': '/dev/sda', 'transport': 'floppy'})\n"
        "except pydantic.ValidationError as err:\n    bad = err\n"
        "assert bad is not None"
    )
    _passes_in_a_fresh_interpreter(code)
