"""`atelier run`: the whole job on one machine, resumable step by step."""

from agent.run.pipeline import Pipeline, RunOptions
from agent.run.state import RunState, RunStore
from agent.run.steps import EraseRequest, RunSteps, StepUnavailable, default_steps
from agent.run.summary import RunSummary

__all__ = [
    "EraseRequest",
    "Pipeline",
    "RunOptions",
    "RunState",
    "RunSteps",
    "RunStore",
    "RunSummary",
    "StepUnavailable",
    "default_steps",
]
