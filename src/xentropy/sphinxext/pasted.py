"""Glued text keeps a number whole, and lets a sentence wrap.

The stylesheet keeps ``.pasted-text`` (what ``{glue:text}`` pastes) on one line, so that a number
such as 1e-07 never breaks at its hyphen. A glued sentence must wrap like the prose around it,
or a phone's page grows sideways: such a paste, one with a space in it, is marked
``pasted-words`` here, and the stylesheet lets it wrap at its spaces.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform


class WordsWrap(SphinxPostTransform):
    """Mark each pasted text that holds a space as ``pasted-words``."""

    default_priority = 900

    def run(self, **kwargs: Any) -> None:
        for node in self.document.findall(nodes.inline):
            if "pasted-text" in node["classes"] and any(c.isspace() for c in node.astext()):
                node["classes"].append("pasted-words")


def setup(app: Any) -> None:
    """Register the post-transform."""
    app.add_post_transform(WordsWrap)
