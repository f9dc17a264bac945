"""`atelier run`'s guided screen over substituted steps, for tmux tests until every piece is in.

python tests/tui/stub_app.py DATA_DIR [--lang en] [--erase-delay S] [--server URL]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "run"))

from run_stubs import StubWorld

from agent.config import load_settings
from agent.host import ReplayHost
from agent.i18n import set_language
from agent.run import Pipeline, RunOptions
from agent.tui.guided import GuidedUI


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir")
    parser.add_argument("--lang", default="fr")
    parser.add_argument("--erase-delay", type=float, default=0.5)
    parser.add_argument("--server")
    args = parser.parse_args()
    set_language(args.lang)
    world = StubWorld(erase_delay_s=args.erase_delay, progress_steps=6)
    settings = load_settings(
        {"lang": args.lang, "server": args.server}, data_dir=args.data_dir, env={}
    ).settings
    ui = GuidedUI()
    pipeline = Pipeline(
        RunOptions(settings, Path(args.data_dir), ReplayHost.build(files={})),
        ui,
        steps=world.steps(),
        sleep=lambda s: None,
    )
    summary = pipeline.run()
    ui.wait_end("Appuyez sur Entrée pour terminer." if args.lang == "fr" else "Press Enter to finish.")
    return summary.exit_code


if __name__ == "__main__":
    sys.exit(main())
