"""The `atelier` command line."""


def main() -> int:
    """The `atelier` program (console script and `python -m agent`).

    The cyclic garbage collector is paused before anything is imported: loading the command's
    modules creates tens of thousands of objects that live until the process ends, and every
    collection walks them again (~5 % of `atelier inventory`'s instructions, more of its time
    under emulated CPUs; issue 2). `agent.cli.main.main` turns it back on for any command that
    may run for long.
    """
    import gc

    gc.disable()
    from agent.cli.main import main as run

    code = run()
    # The interpreter's exit runs one more full collection over everything loaded: nothing left
    # is garbage worth finding, so it is spared the walk.
    gc.freeze()
    return code
