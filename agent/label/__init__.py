"""Machine labels: asset code as QR code and Code 128, key specs, grade, date of erasure."""

from agent.label.content import LabelContent, label_content
from agent.label.printing import print_or_save
from agent.label.render import render_label

__all__ = ["LabelContent", "label_content", "print_or_save", "render_label"]
